"""The fit recovers known hazard ratios and the half-life on a synthetic panel."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.calibration.events import CELLS
from forecast.calibration.model import fit_map, fit_nuts, profile
from tests.calibration.synthetic import synthetic_panel

TRUE_HALF_LIFE = 6.0


def _gamma() -> np.ndarray:
    g = np.zeros((len(CELLS), 3))
    g[0] = [1.2, 0.0, -0.8]  # raises deals, lowers frozen endings: competing risks differ in sign
    g[2] = [0.0, 1.0, 0.0]
    return g


def test_profile_picks_true_half_life_and_map_recovers_ratios() -> None:
    gamma = _gamma()
    panel = synthetic_panel(gamma, TRUE_HALF_LIFE, conflicts=600, months=120)
    best, points = profile(panel, (1.0, 2.0, 6.0, 24.0))
    assert best == TRUE_HALF_LIFE, points
    fit = fit_map(panel, best)
    z = (fit.gamma - gamma) / fit.gamma_sd
    assert np.abs(z[[0, 2]]).max() < 3.0, z
    assert fit.gamma[0, 0] > 0.5 and fit.gamma[0, 2] < -0.2 and fit.gamma[2, 1] > 0.5


def test_map_without_events_has_no_gamma() -> None:
    panel = synthetic_panel(_gamma(), TRUE_HALF_LIFE, conflicts=50, months=60)
    assert not fit_map(panel, 6.0, with_events=False).gamma.any()


@pytest.mark.slow
def test_nuts_recovers_ratios_within_90_percent_intervals() -> None:
    gamma = _gamma()
    panel = synthetic_panel(gamma, TRUE_HALF_LIFE, conflicts=600, months=120, seed=3)
    fit = fit_nuts(panel, TRUE_HALF_LIFE, draws=300, tune=300, seed=3)
    low, high = np.quantile(fit.gamma, [0.05, 0.95], axis=0)
    for k, j in [(0, 0), (0, 2), (2, 1)]:
        assert low[k, j] < gamma[k, j] < high[k, j]
    assert fit.diagnostics["divergences"] < 10
