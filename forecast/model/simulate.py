"""Worlds simulated from the model itself, for simulation-based calibration and calibration checks.

A world draws h0, beta, driver sds and driver paths from their priors, readings from the measurement
mixture, and the state path from the as-of date to the horizon from the true weekly hazards (exact for
piecewise-constant hazards: each week's transition matrix is ``expm(Q dt)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy.linalg import expm

from forecast.model.readings import Item
from forecast.model.spec import Spec
from forecast.process import generator, step_dates, step_years
from forecast.states import state_index


@dataclass(frozen=True, eq=False)
class World:
    """True parameters (log_h0 (T,), beta (T, D), driver_sd (D,), x (weeks, D)), items and the outcome."""

    log_h0: np.ndarray
    beta: np.ndarray
    driver_sd: np.ndarray
    x: np.ndarray
    items: tuple[Item, ...]
    outcome: int


def prior_draw(spec: Spec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One draw of (log_h0, beta, driver_sd, x) from the model's prior."""
    log_h0 = spec.log_h0_mu + spec.log_h0_sd * rng.standard_normal(len(spec.transitions))
    beta = spec.beta_mean + spec.beta_sd * rng.standard_normal(spec.beta_mean.shape)
    sd = np.array([d.sd_median * np.exp(d.sd_log_sd * rng.standard_normal()) for d in spec.drivers])
    rho = np.array([d.rho for d in spec.drivers])
    x = np.zeros((spec.weeks, spec.n_drivers))
    x[0] = sd * rng.standard_normal(spec.n_drivers)
    for t in range(1, spec.weeks):
        x[t] = rho * x[t - 1] + sd * np.sqrt(1 - rho**2) * rng.standard_normal(spec.n_drivers)
    return log_h0, beta, sd, x


def simulated_items(
    spec: Spec, x: np.ndarray, as_of: date, n: int, window_weeks: int, rng: np.random.Generator
) -> tuple[Item, ...]:
    """n readings on random drivers in the ``window_weeks`` before ``as_of``, drawn from the mixture."""
    items = []
    for k in range(n):
        day = as_of - timedelta(days=int(rng.integers(0, 7 * window_weeks)))
        d = int(rng.integers(spec.n_drivers))
        sd, reliability = float(rng.choice([0.3, 0.5, 0.8])), float(rng.uniform(0.5, 0.95))
        informative = rng.uniform() < reliability
        signal = rng.normal(x[spec.week_of(day), d], sd) if informative else rng.normal(0.0, spec.noise_sd)
        items.append(Item(f"s{k}", day, day, spec.driver_ids[d], float(signal), sd, reliability))
    return tuple(items)


def simulated_outcome(
    spec: Spec, log_h0: np.ndarray, beta: np.ndarray, x: np.ndarray, as_of: date, horizon: date, state: str,
    rng: np.random.Generator,
) -> int:  # fmt: skip
    """Index of the state on the horizon date, simulated week by week from the true hazards."""
    dates = step_dates(as_of, horizon)
    weeks = [spec.week_of(d) for d in dates[:-1]]
    q = generator(np.exp(log_h0 + x[weeks] @ beta.T), spec.transitions)
    current = state_index(state)
    for step in expm(q * step_years(dates)[:, None, None]):
        probabilities = np.clip(step[current], 0, None)
        current = int(rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
    return current


def simulate_world(
    spec: Spec, as_of: date, horizon: date, n_readings: int, window_weeks: int, rng: np.random.Generator,
    state: str = "war",
) -> World:  # fmt: skip
    """A world drawn from the prior, its readings up to ``as_of`` and its state on the horizon."""
    log_h0, beta, sd, x = prior_draw(spec, rng)
    items = simulated_items(spec, x, as_of, n_readings, window_weeks, rng)
    outcome = simulated_outcome(spec, log_h0, beta, x, as_of, horizon, state, rng)
    return World(log_h0=log_h0, beta=beta, driver_sd=sd, x=x, items=items, outcome=outcome)
