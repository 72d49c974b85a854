"""The four-state process against scipy: generators, products of weekly steps, step dates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy.linalg import expm

from forecast.process import generator, stacked_expm, state_probabilities, step_dates, step_years
from forecast.states import STATES


def test_generator_rows_sum_to_zero_with_rates_off_diagonal() -> None:
    hazards = np.random.default_rng(0).gamma(1.0, 0.2, size=(7, 3, 8))
    q = generator(hazards)
    assert q.shape == (7, 3, 4, 4)
    np.testing.assert_allclose(q.sum(axis=-1), 0.0, atol=1e-14)
    war, ceasefire = STATES.index("war"), STATES.index("ceasefire")
    np.testing.assert_allclose(q[..., war, ceasefire], hazards[..., 0])
    np.testing.assert_allclose(q[..., ceasefire, war], hazards[..., 3])
    off = q.copy()
    off[..., np.arange(4), np.arange(4)] = 0.0
    assert (off >= 0).all()


def test_weekly_products_equal_expm_of_summed_generator_when_constant() -> None:
    hazards = np.array([0.03, 0.02, 0.04, 0.25, 0.10, 0.15, 0.05, 0.05]) * 5
    dates = step_dates(date(2026, 1, 1), date(2026, 12, 3))
    dt = step_years(dates)
    q = np.broadcast_to(generator(hazards), (len(dt), 4, 4))
    p = state_probabilities(q, dt, start=0)
    exact = expm(generator(hazards) * dt.sum())[0]
    np.testing.assert_allclose(p[-1], exact, atol=1e-12)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)


def test_steps_are_weekly_with_the_last_partial_week_ending_on_the_horizon() -> None:
    dates = step_dates(date(2026, 1, 1), date(2026, 1, 25))
    assert dates == [date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15), date(2026, 1, 22), date(2026, 1, 25)]
    np.testing.assert_allclose(step_years(dates) * 365.25, [7, 7, 7, 3])


@pytest.mark.parametrize("scale", [0.02, 1.0, 40.0])
def test_stacked_expm_equals_scipy(scale: float) -> None:
    hazards = np.random.default_rng(3).gamma(1.0, 0.3, size=(50, 6, 8))
    q = generator(hazards) * scale
    np.testing.assert_allclose(stacked_expm(q), expm(q), atol=1e-12)
