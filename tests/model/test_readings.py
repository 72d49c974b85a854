"""Readings: look-ahead filtering, clusters, week placement."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from forecast.model.readings import readings
from forecast.model.spec import Spec
from tests.fitted import AS_OF, START, make_item


def test_items_reported_after_the_as_of_date_are_excluded(spec: Spec) -> None:
    items = [make_item("a", date(2025, 6, 2)), make_item("b", date(2025, 6, 2), reported=date(2026, 2, 1))]
    got = readings(items, spec, AS_OF)
    assert got.event == ("a",)


def test_cluster_is_one_reading_with_corroborated_reliability_and_strongest_signal(spec: Spec) -> None:
    items = [
        make_item("a", date(2025, 6, 2), signal=2.0, sd=0.5, reliability=0.6, cluster="c"),
        make_item("b", date(2025, 6, 3), signal=1.0, sd=0.5, reliability=0.5, cluster="c"),
    ]
    got = readings(items, spec, AS_OF)
    assert got.event == ("c",)
    assert got.reliability[0] == pytest.approx(1 - 0.4 * 0.5)
    assert got.signal[0] == 2.0


def test_week_is_the_grid_week_of_the_event_date(spec: Spec) -> None:
    got = readings([make_item("a", date(2025, 1, 20)), make_item("b", date(2025, 1, 19))], spec, AS_OF)
    np.testing.assert_array_equal(got.week, [2, 1])
    assert spec.week_of(START) == 0


def test_a_cluster_reading_two_drivers_gives_one_corroborated_reading_per_driver(spec: Spec) -> None:
    """Two outlets report one statement and read it differently: one reading per driver, each merged from
    its own reports, all named by the event, so leaving the event out leaves out both."""
    items = [
        make_item("a", date(2025, 6, 2), signal=2.0, sd=0.5, reliability=0.6, cluster="c"),
        make_item("b", date(2025, 6, 2), "russia_flexibility", signal=1.0, sd=0.5, reliability=0.5, cluster="c"),
        make_item("d", date(2025, 6, 2), signal=1.0, sd=0.5, reliability=0.5, cluster="c"),
        make_item("e", date(2025, 6, 9)),
    ]
    got = readings(items, spec, AS_OF)
    assert got.event == ("c", "c", "e") and got.events == ("c", "e")
    assert [spec.driver_ids[d] for d in got.driver] == ["diplomacy", "russia_flexibility", "diplomacy"]
    assert got.reliability[0] == pytest.approx(1 - 0.4 * 0.5)  # a and d corroborate each other
    assert got.reliability[1] == pytest.approx(0.5)  # b alone reads russia_flexibility
    assert list(got.signal[:2]) == [2.0, 1.0]
    assert got.without("c").event == ("e",)
    np.testing.assert_array_equal(got.rows_of("c"), [0, 1])


def test_week_of_refuses_a_date_outside_the_grid(spec: Spec) -> None:
    """A date before the grid's start (or past its end) is an error, not the first (last) week."""
    with pytest.raises(ValueError, match="before the grid's start"):
        spec.week_of(date(2024, 12, 1))
    with pytest.raises(ValueError, match="past the grid's end"):
        spec.week_of(spec.end)
    assert spec.week_of(spec.end - timedelta(days=1)) == spec.weeks - 1
