"""The backtest never looks ahead, and its scores are the ones it says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.reference.backtest import brier, log_score, run_backtest
from forecast.reference.backtest_report import write_backtest
from forecast.reference.data import ReferenceData, load_reference_data

CUT = 1994
ORIGINS = (1989, 1997)


@pytest.fixture(scope="module")
def shipped() -> ReferenceData:
    return load_reference_data()


def perturbed(data: ReferenceData, cut: int) -> ReferenceData:
    """Rewrite everything from ``cut`` on: other outcomes, intensities, dropped rows and an invented episode."""
    years = data.years.copy()
    late = years["year"] >= cut
    coded = late & years["c_outcome"].notna()
    years.loc[coded, "c_outcome"] = years.loc[coded, "c_outcome"].map(lambda o: 1 if o != 1 else 5)
    years.loc[late, "intensity_level"] = 3 - years.loc[late, "intensity_level"]
    years.loc[late, "type_of_conflict"] = 2
    drop = years.index[late][::3]
    years = years.drop(index=drop)
    extra = years.iloc[[0]].assign(year=cut, c_epterm=1.0, c_outcome=1.0, start_date2=f"{cut}-06-01")
    years = pd.concat([years, extra]).sort_values(["conflict_id", "year"]).reset_index(drop=True)
    return replace(data, years=years)


def test_no_look_ahead(shipped: ReferenceData) -> None:
    first, last = ORIGINS
    base = run_backtest(data=shipped, first_origin=first, last_origin=last, draws=50)
    changed = run_backtest(data=perturbed(shipped, CUT), first_origin=first, last_origin=last, draws=50)
    before = [o for o in base.by_origin if o["origin"] < CUT]
    assert before == [o for o in changed.by_origin if o["origin"] < CUT]
    assert len(before) == CUT - first
    # The perturbation does reach the later origins, so the equality above is not vacuous.
    after = [o for o in base.by_origin if o["origin"] >= CUT]
    assert after != [o for o in changed.by_origin if o["origin"] >= CUT]


def test_scores_by_hand() -> None:
    p = np.array([0.7, 0.1, 0.15, 0.05])
    assert brier(p, 0) == pytest.approx(0.3**2 + 0.1**2 + 0.15**2 + 0.05**2)
    assert log_score(p, 3) == pytest.approx(np.log(0.05))
    assert log_score(np.array([1.0, 0.0, 0.0, 0.0]), 1) == pytest.approx(np.log(1e-6))


def test_outputs(shipped: ReferenceData, tmp_path: Path) -> None:
    result = run_backtest(data=shipped, first_origin=2015, draws=50)
    json_path, html_path = write_backtest(result, tmp_path)
    data = json_path.read_text()
    for k in ("by_origin", "totals", "by_age", "reliability"):
        assert f'"{k}"' in data
    assert [o["origin"] for o in result.by_origin] == list(range(2015, 2025))
    assert sum(r["count"] for r in result.reliability) == 4 * result.totals["all"]["n"]
    html = html_path.read_text()
    assert "<svg" in html and "src=" not in html and 'href="http' not in html
    frame_n = sum(o["n"] for o in result.by_origin)
    assert frame_n == result.totals["all"]["n"]
