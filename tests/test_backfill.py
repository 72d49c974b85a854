"""Backfill: date ranges, skipping recorded weeks, and equality with single runs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.backfill import backfill, parse_every, run_dates
from forecast.cli import app
from forecast.store.history import HistoryStore
from forecast.model.inference import SamplerSettings
from forecast.pipeline import RunConfig, run_forecast

from .conftest import REPO

TINY = SamplerSettings(draws=100, tune=100, chains=2)
# Five runs two days apart, so each sees more of the example evidence (dated 19-26 Nov 2025).
DATES = run_dates(date(2025, 11, 18), date(2025, 11, 26), timedelta(days=2))


def config(out: Path, as_of: date = DATES[0], **kw) -> RunConfig:
    return RunConfig(as_of=as_of, priors=REPO / "priors", evidence=REPO / "evidence", out=out, settings=TINY,
                     briefing=False, **kw)


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
    assert DATES == [date(2025, 11, d) for d in (18, 20, 22, 24, 26)]


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backfill")
    weeks = list(backfill(config(out), DATES))
    assert [w.as_of for w in weeks] == DATES and all(w.skipped is None for w in weeks)
    return out


def test_backfill_equals_single_runs(backfilled: Path, tmp_path: Path) -> None:
    """One compiled model for all weeks gives exactly what a fresh model per run gives."""
    records = HistoryStore.beside(backfilled).records()
    assert [r.as_of for r in records] == [d.isoformat() for d in DATES]
    assert len({r.outcomes["war"]["mean"] for r in records}) == len(DATES)  # the evidence differs week to week
    for record, as_of in zip(records, DATES):
        _, single = run_forecast(config(tmp_path, as_of))  # compiles its own model
        assert record.outcomes == single["outcomes"]
        assert record.run_id == single["run_id"] and record.seed == int(as_of.strftime("%Y%m%d"))
        assert record.diagnostics == single["diagnostics"]


def test_recorded_weeks_are_skipped(backfilled: Path) -> None:
    before = HistoryStore.beside(backfilled).records()
    weeks = list(backfill(config(backfilled), DATES))
    assert all(w.skipped and w.summary is None for w in weeks)
    assert HistoryStore.beside(backfilled).records() == before


def test_backfill_command(backfilled: Path) -> None:
    def invoke(every: str):
        return CliRunner().invoke(app, [
            "backfill", "--from", "2025-11-18", "--to", "2025-11-26", "--every", every, "--out", str(backfilled),
            "--priors", str(REPO / "priors"), "--evidence", str(REPO / "evidence"), "--draws", "100", "--tune", "100"])

    result = invoke("2d")
    assert result.exit_code == 0, result.output
    assert "0 run(s) written, 5 skipped" in result.output
    bad = invoke("fortnightly")
    assert bad.exit_code == 2 and "7d, 1w or 14d" in bad.output
