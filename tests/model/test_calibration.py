"""Slow statistical checks on worlds simulated from the model: SBC ranks and forecast calibration."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.checks import THIN, brier, calibration_run, sbc_ranks, uniformity_p

pytestmark = pytest.mark.slow


def test_sbc_ranks_are_uniform() -> None:
    draws = 200
    ranks = sbc_ranks(sims=40, draws=draws, seed=5)
    for name, values in ranks.items():
        assert uniformity_p(values, 2 * draws // THIN, bins=4) > 0.001, name


def test_forecasts_are_calibrated_and_beat_no_evidence() -> None:
    forecasts, prior, outcomes = calibration_run(worlds=60, draws=200, seed=9)
    ended = outcomes != 0
    chance = 1 - forecasts[:, 0]
    se = np.sqrt((chance * (1 - chance)).sum()) / len(chance)
    assert abs(ended.mean() - chance.mean()) < 3 * se + 0.01
    assert brier(forecasts, outcomes) <= brier(prior, outcomes) + 0.005
