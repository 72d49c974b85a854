"""No look-ahead: events after an origin or an as-of date change nothing; before it, they count."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.calibration import weights as weights_module
from forecast.calibration.backtest import origin_forecasts
from forecast.calibration.events import CELLS, load_events
from forecast.calibration.model import NutsFit
from forecast.cli import app
from forecast.reference.data import DEFAULT_DATA_DIR, load_reference_data

ORIGIN = 2005
CONFLICT = 209  # at war at the 2005 origin


def _with_event(events: pd.DataFrame, day: str, cell: str = "agreement_signed[stage=process]") -> pd.DataFrame:
    row = events.iloc[[0]].copy()
    row["event_id"], row["conflict_id"], row["cell"] = f"test:{day}", CONFLICT, cell
    row["date"] = pd.Timestamp(day)
    row["month"] = row["date"].dt.year * 12 + row["date"].dt.month - 1
    return pd.concat([events, row], ignore_index=True)


@pytest.fixture(scope="module")
def shipped() -> tuple[object, pd.DataFrame]:
    return load_reference_data(), load_events()


def test_event_after_origin_changes_no_forecast(shipped) -> None:
    data, events = shipped
    base = origin_forecasts(data, events, ORIGIN)
    after = origin_forecasts(data, _with_event(events, f"{ORIGIN}-01-01"), ORIGIN)
    assert [f.events for f in base] == [f.events for f in after]
    before = origin_forecasts(data, _with_event(events, f"{ORIGIN - 1}-12-20"), ORIGIN)
    changed = [b.conflict_id for a, b in zip(base, before, strict=True) if a.events != b.events]
    assert CONFLICT in changed


def _fake_nuts(panel, half_life, draws=10, tune=10, chains=2, seed=0, progress=None, **_kw) -> NutsFit:
    gamma = np.random.default_rng(seed).normal(0, 0.1, size=(40, len(CELLS), 3))
    diag = {"rhat_max": 1.0, "ess_bulk_min": 40.0, "ess_tail_min": 40.0, "divergences": 0}
    return NutsFit(gamma, diag, {"sampler": "fake"})


def _data_copy(tmp_path: Path, extra: str | None) -> Path:
    folder = tmp_path / ("with" if extra else "without")
    folder.mkdir()
    for name in ("ucdp_conflict_years.csv", "ucdp_prio_acd.csv", "events.csv"):
        shutil.copy(DEFAULT_DATA_DIR / name, folder / name)
    if extra:
        with (folder / "events.csv").open("a") as handle:
            handle.write(f"test:1:{CONFLICT},cwm,test,{CONFLICT},{extra},day,mediation,,,\n")
    return folder


def _counts(folder: Path, as_of: str) -> dict[str, int]:
    result = CliRunner().invoke(app, ["weights", "--as-of", as_of, "--json", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return {r["kind"] + str(r["attributes"]) + r["transition"]: r["events"] for r in document["rows"]}


def test_weights_as_of_does_not_see_later_events(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(weights_module, "fit_nuts", _fake_nuts)
    without, with_event = _data_copy(tmp_path, None), _data_copy(tmp_path, "2003-03-10")
    # as of 2003-03-01 the event (10 March 2003) is in the future: nothing changes
    assert _counts(without, "2003-03-01") == _counts(with_event, "2003-03-01")
    # as of 2005-06-01 the panel runs to December 2003 and the event counts, once, in its cell only
    a, b = _counts(without, "2005-06-01"), _counts(with_event, "2005-06-01")
    diff = {k: b[k] - a[k] for k in a if b[k] != a[k]}
    assert set(diff.values()) == {1}
    assert all(k.startswith("mediation") for k in diff) and len(diff) == 3
