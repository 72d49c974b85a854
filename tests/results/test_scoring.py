"""The scores, by hand: Brier, log and RPS on three runs, skill against the recorded baseline, benchmarks."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from forecast.analysis.scorecard import NotResolved, score_question
from forecast.results import scoring
from forecast.store.history import HistoryStore
from forecast.store.resolutions import record_resolution
from tests.fake_runs import three_runs, write_benchmarks
from tests.helpers import REPO, shipped_question

ORDER = ["deal", "ceasefire", "frozen", "war"]
# tests/helpers.summary_document's no-evidence baseline, as every fake run records it
BASELINE = {"deal": 0.025, "ceasefire": 0.016, "frozen": 0.029, "war": 0.93}


def test_brier_log_and_rps_of_one_forecast_by_hand() -> None:
    p = {"deal": 0.1, "ceasefire": 0.2, "frozen": 0.3, "war": 0.4}
    assert scoring.brier(p, "ceasefire", ORDER) == pytest.approx(0.01 + 0.64 + 0.09 + 0.16)
    assert scoring.log_score(p, "ceasefire") == pytest.approx(math.log(0.2))
    # cumulative forecast 0.1, 0.3, 0.6 against 0, 1, 1; divided by K - 1 = 3
    assert scoring.rps(p, "ceasefire", ORDER) == pytest.approx((0.01 + 0.49 + 0.16) / 3)
    assert scoring.rps(p, "war", ORDER) == pytest.approx((0.01 + 0.09 + 0.36) / 3)


def test_the_rps_rewards_mass_near_the_observed_state_where_brier_does_not() -> None:
    near = {"deal": 0.0, "ceasefire": 0.5, "frozen": 0.5, "war": 0.0}
    far = {"deal": 0.5, "ceasefire": 0.5, "frozen": 0.0, "war": 0.0}
    assert scoring.brier(near, "frozen", ORDER) == pytest.approx(scoring.brier(far, "ceasefire", ORDER))
    assert scoring.rps(near, "ceasefire", ORDER) < scoring.rps(far, "war", ORDER)


def test_a_zero_probability_is_clipped_not_infinite() -> None:
    assert scoring.log_score({"war": 1.0}, "deal") == pytest.approx(math.log(1e-12))
    assert scoring.binary_log(1.0, False) == pytest.approx(math.log(1e-12))


def test_skill_is_one_minus_the_ratio_and_log_skill_the_difference() -> None:
    assert scoring.skill(0.5, 2.0) == pytest.approx(0.75)
    assert scoring.skill(3.0, 2.0) == pytest.approx(-0.5)
    assert scoring.skill(0.1, 0.0) is None
    assert scoring.log_skill(math.log(0.5), math.log(0.25)) == pytest.approx(math.log(2))


def test_interpolation_and_pairing() -> None:
    curve = [(date(2025, 1, 1), 0.0), (date(2025, 1, 11), 1.0)]
    assert scoring.interpolate(curve, date(2025, 1, 4)) == pytest.approx(0.3)
    assert scoring.interpolate(curve, date(2025, 1, 11)) == pytest.approx(1.0)
    assert scoring.interpolate(curve, date(2024, 12, 31)) is None
    runs = [date(2025, 11, 26), date(2025, 12, 3), date(2025, 12, 10)]
    assert scoring.paired_run(date(2025, 12, 9), runs) == date(2025, 12, 3)
    assert scoring.paired_run(date(2025, 12, 10), runs) == date(2025, 12, 10)
    assert scoring.paired_run(date(2025, 12, 17), runs) is None  # seven days after the last run: too late
    assert scoring.paired_run(date(2025, 11, 25), runs) is None  # before every run


@pytest.fixture
def resolved(tmp_path: Path) -> Path:
    """Three runs; ceasefire on the horizon, war on 31 December 2025."""
    out = tmp_path / "reports"
    three_runs(out)
    question = shipped_question()
    record_resolution(out, question, "ceasefire", question.horizon, source="https://example.org")
    record_resolution(out, question, "war", date(2025, 12, 31))
    return out


def test_three_runs_are_scored_on_what_they_recorded(resolved: Path, tmp_path: Path) -> None:
    card = score_question(resolved, REPO / "priors" / "ukraine_2026.yaml", tmp_path / "no-benchmarks")
    assert [r.as_of for r in card.runs] == ["2025-11-26", "2025-12-03", "2025-12-10"]
    assert [r.brier for r in card.runs] == pytest.approx([0.90, 1.125, 0.375])
    assert [r.log_score for r in card.runs] == pytest.approx([math.log(0.2), math.log(0.15), math.log(0.5)])
    assert [r.rps for r in card.runs] == pytest.approx([0.66 / 3, 1.0025 / 3, 0.3125 / 3])
    base_brier = 0.025**2 + 0.984**2 + 0.029**2 + 0.93**2
    base_rps = (0.025**2 + 0.959**2 + 0.93**2) / 3
    for r in card.runs:
        assert r.baseline["brier"] == pytest.approx(base_brier)
        assert r.baseline["log_score"] == pytest.approx(math.log(0.016))
        assert r.baseline["rps"] == pytest.approx(base_rps)
    first = card.runs[0]
    assert first.skill["brier"] == pytest.approx(1 - 0.90 / base_brier)
    assert first.skill["log_score"] == pytest.approx(math.log(0.2) - math.log(0.016))
    assert first.skill["rps"] == pytest.approx(1 - 0.22 / base_rps)
    assert card.mean["brier"] == pytest.approx((0.90 + 1.125 + 0.375) / 3)
    assert card.mean["skill"]["brier"] == pytest.approx(1 - 0.8 / base_brier)
    stored = HistoryStore.beside(resolved).scores("ukraine-2026")
    assert [(s.kind, s.key, s.brier) for s in stored] == [
        ("run", "2025-11-26", pytest.approx(0.90)),
        ("run", "2025-12-03", pytest.approx(1.125)),
        ("run", "2025-12-10", pytest.approx(0.375)),
    ]


def test_benchmarks_are_paired_only_with_a_run_they_overlap(resolved: Path, tmp_path: Path) -> None:
    marks = write_benchmarks(
        tmp_path / "benchmarks",
        [
            {"id": "inside", "seen": "2025-12-09", "by": "2025-12-31", "probability": 0.06},
            {"id": "before-runs", "seen": "2025-11-01", "by": "2025-12-31", "probability": 0.3},
            {"id": "after-runs", "seen": "2026-02-01", "by": "2025-12-31", "probability": 0.2},
            {"id": "unresolved-date", "seen": "2025-12-09", "by": "2026-03-31", "probability": 0.24},
        ],
    )
    card = score_question(resolved, REPO / "priors" / "ukraine_2026.yaml", marks)
    scored = {b.id: b for b in card.benchmarks}
    assert set(scored) == {"inside", "before-runs", "after-runs"}  # 31 March 2026 is not resolved
    inside = scored["inside"]
    assert inside.run == "2025-12-03"  # latest run at most six days before it was seen
    assert not inside.happened  # war on 31 December 2025
    assert inside.brier == pytest.approx(0.06**2)
    assert inside.log_score == pytest.approx(math.log(0.94))
    # the 3 December run's curves run straight from 0 to (0.05 + 0.15) on the horizon, 393 days on
    ours = 28 / 393 * 0.20
    assert inside.run_probability == pytest.approx(ours)
    assert inside.run_scores["brier"] == pytest.approx(ours**2)
    for outside in ("before-runs", "after-runs"):
        assert scored[outside].run is None and scored[outside].run_probability is None
    rows = {s.key: s for s in HistoryStore.beside(resolved).scores() if s.kind == "benchmark"}
    assert rows["inside"].as_of == "2025-12-03" and rows["before-runs"].as_of is None


def test_scoring_an_unresolved_question_raises(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    three_runs(out)
    record_resolution(out, shipped_question(), "war", date(2025, 12, 31))  # not the horizon
    with pytest.raises(NotResolved, match="not resolved"):
        score_question(out, REPO / "priors" / "ukraine_2026.yaml", tmp_path / "none")


def test_each_scoring_rebuilds_the_question_scores(resolved: Path, tmp_path: Path) -> None:
    score_question(resolved, REPO / "priors" / "ukraine_2026.yaml", tmp_path / "none")
    record_resolution(resolved, shipped_question(), "war", shipped_question().horizon, force=True)
    card = score_question(resolved, REPO / "priors" / "ukraine_2026.yaml", tmp_path / "none")
    stored = HistoryStore.beside(resolved).scores("ukraine-2026")
    assert len(stored) == 3 and {s.observed for s in stored} == {"war"}
    assert stored[0].brier == pytest.approx(card.runs[0].brier) == pytest.approx(0.01 + 0.04 + 0.09 + 0.36)
