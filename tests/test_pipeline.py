"""`forecast run` end to end on the shipped example: outputs, reproducibility, all-or-nothing."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import arviz as az
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.model.inference import SamplerSettings
from forecast.pipeline import RunConfig, backfill, parse_every, run_dates, run_forecast
from forecast.results.summary import Summary
from forecast.store.history import HistoryStore
from forecast.store.runs import RunExists
from tests.helpers import REPO, run_config

PLUMBING = SamplerSettings(draws=200, tune=200, chains=2)


def config(out: Path, as_of: str | date = "2025-11-26", **kw) -> RunConfig:
    return run_config(out, as_of, **{"settings": PLUMBING, **kw})


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> tuple[Path, Summary]:
    return run_forecast(config(tmp_path_factory.mktemp("out")))


def test_run_writes_contract_files(example_run):
    run_dir, summary = example_run
    assert run_dir.name == "2025-11-26"
    assert {p.name for p in run_dir.iterdir()} == {"summary.json", "manifest.json", "posterior.nc"}
    saved = json.loads((run_dir / "summary.json").read_text())
    assert saved == json.loads(summary.model_dump_json())
    assert list(saved["outcomes"]) == ["deal", "ceasefire", "frozen", "war"]
    assert sum(v["mean"] for v in saved["outcomes"].values()) == pytest.approx(1.0, abs=1e-9)
    for value in saved["outcomes"].values():
        assert 0 <= value["low"] <= value["mean"] <= value["high"] <= 1
    assert set(saved["diagnostics"]) >= {"rhat_max", "ess_bulk_min", "divergences", "warnings"}
    assert len(saved["evidence"]) >= 20 and set(saved["evidence"]) == set(saved["evidence_items"])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 20251126
    assert "priors/ukraine_2026.yaml" in manifest["inputs"] and "kinds.yaml" in manifest["inputs"]
    assert any(label.startswith("evidence/") for label in manifest["inputs"])
    idata = az.from_netcdf(run_dir / "posterior.nc")
    assert set(idata.posterior["given"].values) == {"deal", "ceasefire", "frozen", "war"}
    assert float(idata.mixture["weight"].sum()) == pytest.approx(1.0)


def test_impacts_agree_with_moving_the_forecast(example_run):
    """Items the analyst marked as pointing to war raise war; talks items lower it."""
    _, summary = example_run
    impacts, items = summary.evidence, summary.evidence_items
    strikes = [i for i, meta in items.items() if meta.kind == "strike"]
    talks = [i for i, meta in items.items() if meta.kind == "talks_held"]
    assert strikes and talks
    assert all(impacts[i]["war"] > 0 for i in strikes)
    assert all(impacts[i]["war"] < 0 for i in talks)


def test_same_seed_same_numbers(example_run, tmp_path):
    _, first = example_run
    _, again = run_forecast(config(tmp_path))
    assert again.outcomes == first.outcomes
    assert again.evidence == first.evidence
    assert again.run_id == first.run_id


def test_later_items_are_left_out_and_reported(tmp_path):
    run_dir, summary = run_forecast(config(tmp_path, as_of="2025-11-21"))
    assert summary.excluded_after_as_of
    assert all(meta.date <= date(2025, 11, 21) for meta in summary.evidence_items.values())
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--as-of",
            "2025-11-21",
            "--priors",
            str(REPO / "priors"),
            "--evidence",
            str(REPO / "evidence"),
            "--out",
            str(tmp_path / "cli"),
            "--draws",
            "100",
            "--tune",
            "100",
            "--no-briefing",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"{len(summary.excluded_after_as_of)} dated after it left out" in result.output


def test_existing_run_refuses_without_force_and_bad_input_writes_nothing(example_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(example_run[0], out / "2025-11-26")
    before = {p: p.read_bytes() for p in (out / "2025-11-26").iterdir()}
    with pytest.raises(RunExists):
        run_forecast(config(out))
    bad = tmp_path / "evidence"
    shutil.copytree(REPO / "evidence", bad)
    (bad / "broken.yaml").write_text("- id: x\n  date: 2025-11-20\n  kind: nonsense\n")
    with pytest.raises(InputError):
        run_forecast(config(out, evidence=bad, force=True))
    with pytest.raises(InputError):
        run_forecast(config(out, as_of="2025-11-25", evidence=bad))
    assert sorted(p.name for p in out.iterdir()) == ["2025-11-26"]
    assert {p: p.read_bytes() for p in (out / "2025-11-26").iterdir()} == before


def test_cli_run_bad_input_exits_1_without_traceback(tmp_path):
    bad = tmp_path / "evidence"
    bad.mkdir()
    (bad / "a.yaml").write_text("id: x\ndate: 2025-11-20\nkind: statement\ntitle: t\nsource: s\nreliability: 2\n")
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--as-of",
            "2025-11-26",
            "--priors",
            str(REPO / "priors"),
            "--evidence",
            str(bad),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 1
    assert "a.yaml:6: reliability: must be in (0, 1]" in result.output
    assert not (tmp_path / "out" / "2025-11-26").exists()


# Five runs two days apart, so each sees more of the example evidence (dated 19-26 Nov 2025).
DATES = run_dates(date(2025, 11, 18), date(2025, 11, 26), timedelta(days=2))


@pytest.mark.parametrize("text, days", [("7d", 7), ("1w", 7), ("14d", 14), (" 2W ", 14), ("1d", 1)])
def test_parse_every(text: str, days: int) -> None:
    assert parse_every(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["0d", "7", "d7", "7h", "", "-7d", "1.5w"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="7d, 1w or 14d"):
        parse_every(text)


def test_run_dates() -> None:
    week = timedelta(days=7)
    assert run_dates(date(2025, 1, 1), date(2025, 1, 15), week) == [date(2025, 1, d) for d in (1, 8, 15)]
    assert run_dates(date(2025, 1, 1), date(2025, 1, 14), week)[-1] == date(2025, 1, 8)
    assert run_dates(date(2025, 1, 1), date(2025, 1, 1), week) == [date(2025, 1, 1)]
    assert len(run_dates(date(2025, 1, 1), date(2025, 12, 31), week)) == 53
    with pytest.raises(ValueError, match="before"):
        run_dates(date(2025, 1, 8), date(2025, 1, 1), week)
    assert [date(2025, 11, d) for d in (18, 20, 22, 24, 26)] == DATES


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backfill")
    weeks = list(backfill(run_config(out, DATES[0]), DATES))
    assert [w.as_of for w in weeks] == DATES and all(w.skipped is None for w in weeks)
    return out


def test_backfill_equals_single_runs(backfilled: Path, tmp_path: Path) -> None:
    """One compiled model for all weeks gives exactly what a fresh model per run gives."""
    records = HistoryStore.beside(backfilled).records()
    assert [r.as_of for r in records] == [d.isoformat() for d in DATES]
    assert len({r.outcomes["war"].mean for r in records}) == len(DATES)  # the evidence differs week to week
    for record, as_of in zip(records, DATES, strict=True):
        _, single = run_forecast(run_config(tmp_path, as_of))  # compiles its own model
        assert record.outcomes == single.outcomes
        assert record.run_id == single.run_id and record.seed == int(as_of.strftime("%Y%m%d"))
        assert record.diagnostics == single.diagnostics


def test_recorded_weeks_are_skipped(backfilled: Path) -> None:
    before = HistoryStore.beside(backfilled).records()
    weeks = list(backfill(run_config(backfilled, DATES[0]), DATES))
    assert all(w.skipped and w.summary is None for w in weeks)
    assert HistoryStore.beside(backfilled).records() == before


def test_backfill_command(backfilled: Path) -> None:
    def invoke(every: str):
        return CliRunner().invoke(
            app,
            [
                "backfill",
                "--from",
                "2025-11-18",
                "--to",
                "2025-11-26",
                "--every",
                every,
                "--out",
                str(backfilled),
                "--priors",
                str(REPO / "priors"),
                "--evidence",
                str(REPO / "evidence"),
                "--draws",
                "100",
                "--tune",
                "100",
            ],
        )

    result = invoke("2d")
    assert result.exit_code == 0, result.output
    assert "0 run(s) written, 5 skipped" in result.output
    bad = invoke("fortnightly")
    assert bad.exit_code == 2 and "7d, 1w or 14d" in bad.output
