"""Readings: look-ahead filtering, clusters, week placement."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from forecast.model.readings import readings
from forecast.model.spec import Spec
from tests.model.conftest import AS_OF, START, make_item


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


def test_mixed_drivers_in_a_cluster_are_rejected(spec: Spec) -> None:
    items = [
        make_item("a", date(2025, 6, 2), cluster="c"),
        make_item("b", date(2025, 6, 2), "russia_flexibility", cluster="c"),
    ]
    with pytest.raises(ValueError, match="mixes drivers"):
        readings(items, spec, AS_OF)
