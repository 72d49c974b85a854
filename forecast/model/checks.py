"""Statistical checks of the version-2 model on worlds simulated from it.

* :func:`sbc_ranks`: simulation-based calibration (Talts et al. 2018): ranks of true values among
  posterior draws are uniform when inference is right.
* :func:`calibration_run`: end-to-end, forecasts of the state on the horizon scored against the
  simulated outcome (reliability table, Brier score against the no-evidence forecast).

The command-line versions are ``scripts/sbc.py`` and ``scripts/calibration.py``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from scipy.stats import chisquare

from forecast.model.fit import Forecaster, stacked
from forecast.model.readings import empty_readings
from forecast.model.simulate import simulate_world
from forecast.model.spec import Spec, default_spec

H0 = {
    "war->ceasefire": 0.03, "war->deal": 0.02, "war->frozen": 0.04, "ceasefire->war": 0.25,
    "ceasefire->deal": 0.10, "frozen->war": 0.15, "frozen->deal": 0.05, "deal->war": 0.05,
}  # fmt: skip
START, END, AS_OF, HORIZON = date(2025, 1, 6), date(2026, 7, 1), date(2026, 1, 12), date(2026, 6, 30)
BINS = np.array([0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0])
THIN = 10


def spec_for_checks() -> Spec:
    """The test-sized question: 78 weekly cells per driver, made-up reference-class hazards."""
    return default_spec(START, END, H0)


def sbc_ranks(sims: int, draws: int, seed: int, n_readings: int = 20) -> dict[str, np.ndarray]:
    """Ranks (0..draws_kept) of the true values among thinned posterior draws, per quantity."""
    spec = spec_for_checks()
    forecaster = Forecaster(spec, draws=draws, tune=draws)
    rng = np.random.default_rng(seed)
    week = spec.week_of(AS_OF)
    ranks: dict[str, list[int]] = {"driver_sd[diplomacy]": [], "x[as_of, diplomacy]": [], "log_h0[war->ceasefire]": []}
    for i in range(sims):
        world = simulate_world(spec, AS_OF, HORIZON, n_readings, 12, rng)
        idata = forecaster.fit(forecaster.readings(list(world.items), AS_OF), seed=seed + i)
        thin = slice(None, None, THIN)
        posterior = {
            "driver_sd[diplomacy]": (stacked(idata, "driver_sd")[thin, 0], world.driver_sd[0]),
            "x[as_of, diplomacy]": (stacked(idata, "x")[thin, week, 0], world.x[week, 0]),
            "log_h0[war->ceasefire]": (stacked(idata, "log_h0")[thin, 0], world.log_h0[0]),
        }
        for name, (samples, truth) in posterior.items():
            ranks[name].append(int((samples < truth).sum()))
    return {name: np.array(values) for name, values in ranks.items()}


def uniformity_p(ranks: np.ndarray, n_max: int, bins: int = 5) -> float:
    """Chi-square p-value of the ranks' histogram against uniform."""
    counts, _ = np.histogram(ranks, bins=bins, range=(0, n_max + 1))
    return float(chisquare(counts).pvalue)


def calibration_run(
    worlds: int, draws: int, seed: int, n_readings: int = 30
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(forecasts (worlds, 4), no-evidence forecast (4,), outcomes (worlds,))."""
    spec = spec_for_checks()
    forecaster = Forecaster(spec, draws=draws, tune=draws)
    prior = forecaster.forecast_curves(forecaster.fit(empty_readings(), seed=seed), AS_OF, HORIZON).mean[-1]
    rng = np.random.default_rng(seed)
    forecasts, outcomes = [], []
    for i in range(worlds):
        world = simulate_world(spec, AS_OF, HORIZON, n_readings, 12, rng)
        idata = forecaster.fit(forecaster.readings(list(world.items), AS_OF), seed=seed + 1 + i)
        forecasts.append(forecaster.forecast_curves(idata, AS_OF, HORIZON).mean[-1])
        outcomes.append(world.outcome)
    return np.array(forecasts), prior, np.array(outcomes)


def brier(forecasts: np.ndarray, outcomes: np.ndarray) -> float:
    """Mean multi-state Brier score (sum over the four states of squared errors)."""
    truth = np.eye(forecasts.shape[-1])[outcomes]
    return float(((np.broadcast_to(forecasts, truth.shape) - truth) ** 2).sum(axis=1).mean())


def reliability(forecasts: np.ndarray, outcomes: np.ndarray) -> list[tuple[float, float, float, int]]:
    """Per bin of the forecast chance (pooled over states): mean forecast, observed frequency, its SE, count."""
    p = forecasts.ravel()
    hit = (np.eye(forecasts.shape[-1])[outcomes]).ravel()
    rows = []
    for low, high in zip(BINS[:-1], BINS[1:], strict=True):
        inside = (p >= low) & (p < high)
        if inside.sum():
            mean = float(p[inside].mean())
            rows.append(
                (mean, float(hit[inside].mean()), float(np.sqrt(mean * (1 - mean) / inside.sum())), int(inside.sum()))
            )
    return rows
