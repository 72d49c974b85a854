"""Benchmarks beside the forecast: our chance of their event from the per-draw curves, no look-ahead."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from forecast.inputs.schema import Benchmark
from forecast.model.fit import Curves
from forecast.results.posterior import benchmark_comparisons, union_curves, union_estimate
from forecast.results.summary import Summary, read_document, write_document
from forecast.states import STATES
from tests.helpers import summary_document

AS_OF = date(2025, 12, 10)


def synthetic_curves() -> Curves:
    """Three draws on three weekly dates; every draw's four chances sum to one."""
    dates = (AS_OF, AS_OF + timedelta(days=7), AS_OF + timedelta(days=14))
    # STATES order: war, ceasefire, frozen, deal
    draws = np.array(
        [
            [[1.0, 0.0, 0.0, 0.0], [0.90, 0.04, 0.02, 0.04], [0.70, 0.10, 0.05, 0.15]],
            [[1.0, 0.0, 0.0, 0.0], [0.80, 0.10, 0.05, 0.05], [0.60, 0.20, 0.10, 0.10]],
            [[1.0, 0.0, 0.0, 0.0], [0.97, 0.01, 0.01, 0.01], [0.90, 0.04, 0.02, 0.04]],
        ]
    )
    low, high = np.quantile(draws, (0.05, 0.95), axis=0)
    return Curves(dates=dates, states=STATES, draws=draws, mean=draws.mean(axis=0), low=low, high=high)


def benchmark(**changes: Any) -> Benchmark:
    fields: dict[str, Any] = {
        "id": "market-ceasefire",
        "question_id": "ukraine-2026",
        "source": "Polymarket",
        "question": "Ceasefire by the date?",
        "url": "https://example.org/market",
        "seen": AS_OF,
        "probability": 0.24,
        "outcomes": ["ceasefire", "deal"],
        "by": AS_OF + timedelta(days=14),
        "match": "loose",
        "differences": "any announced ceasefire counts",
    }
    return Benchmark.model_validate(fields | changes)


def test_the_union_is_summed_per_draw_then_summarised_and_interpolated_between_weeks() -> None:
    curves = synthetic_curves()
    # 10 days after the as-of date: 3/7 of the way from the second week to the third
    day = AS_OF + timedelta(days=10)
    w = 3 / 7
    week1 = np.array([0.04 + 0.04, 0.10 + 0.05, 0.01 + 0.01])
    week2 = np.array([0.10 + 0.15, 0.20 + 0.10, 0.04 + 0.04])
    per_draw = (1 - w) * week1 + w * week2
    got = union_estimate(curves, ["ceasefire", "deal"], day)
    assert got is not None
    assert got.mean == pytest.approx(per_draw.mean())
    assert got.low == pytest.approx(np.quantile(per_draw, 0.05))
    assert got.high == pytest.approx(np.quantile(per_draw, 0.95))
    on_a_week = union_estimate(curves, ["deal", "ceasefire"], AS_OF + timedelta(days=14))
    assert on_a_week is not None and on_a_week.mean == pytest.approx(week2.mean())


def test_the_union_interval_is_not_the_sum_of_the_outcome_intervals() -> None:
    curves = synthetic_curves()
    got = union_estimate(curves, ["ceasefire", "deal"], curves.dates[-1])
    assert got is not None
    ceasefire, deal = STATES.index("ceasefire"), STATES.index("deal")
    assert got.high < curves.high[-1, ceasefire] + curves.high[-1, deal] - 1e-9


def test_a_benchmark_seen_after_the_as_of_date_is_left_out() -> None:
    curves = synthetic_curves()
    seen_today, seen_later = benchmark(id="today"), benchmark(id="tomorrow", seen=AS_OF + timedelta(days=1))
    got = benchmark_comparisons([seen_today, seen_later], curves, AS_OF)
    assert [c.id for c in got] == ["today"]
    assert [c.id for c in benchmark_comparisons([seen_later], curves, AS_OF + timedelta(days=1))] == ["tomorrow"]


def test_a_benchmark_whose_date_has_passed_has_no_number_of_ours() -> None:
    curves = synthetic_curves()
    past = benchmark(by=AS_OF - timedelta(days=1), seen=AS_OF - timedelta(days=5))
    (got,) = benchmark_comparisons([past], curves, AS_OF)
    assert got.ours is None and got.probability == 0.24 and got.by == past.by
    assert union_estimate(curves, ["ceasefire"], AS_OF) is not None  # the as-of date itself is forecast


def test_one_union_curve_per_set_of_outcomes() -> None:
    curves = synthetic_curves()
    both = benchmark_comparisons(
        [benchmark(id="a"), benchmark(id="b", outcomes=["deal", "ceasefire"]), benchmark(id="c", outcomes=["frozen"])],
        curves,
        AS_OF,
    )
    got = union_curves(both, curves)
    assert list(got) == ["ceasefire+deal", "frozen"]
    assert [p.mean for p in got["frozen"]] == pytest.approx(curves.draws[:, :, STATES.index("frozen")].mean(axis=0))


def test_a_summary_with_benchmarks_round_trips(tmp_path: Path) -> None:
    curves = synthetic_curves()
    crowd = benchmark_comparisons([benchmark(), benchmark(id="past", by=AS_OF - timedelta(days=3))], curves, AS_OF)
    document = summary_document(as_of=AS_OF.isoformat())
    summary = Summary.model_validate(document).model_copy(
        update={"benchmarks": crowd, "union_curves": union_curves(crowd, curves)}
    )
    write_document(tmp_path / "summary.json", summary)
    back = read_document(tmp_path / "summary.json", Summary)
    assert back == summary
    assert back.benchmarks[0].ours is not None and back.benchmarks[1].ours is None
    assert back.benchmarks[0].union == "ceasefire+deal"
    assert Summary.model_validate(document).benchmarks == []  # a summary written before benchmarks still reads
