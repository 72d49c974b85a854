"""The four-state process, defined once: states, transitions, generators and state probabilities.

Used by the reference class (constant hazards per transition) and by the model (weekly hazards
per posterior draw).

States are ordered ``war, ceasefire, frozen, deal``; a transition's hazard (per year) is the rate of
leaving its origin for its target. Within a step the hazards are constant, so the step's transition
matrix is ``expm(Q * dt)`` exactly; over the horizon the steps multiply (piecewise-constant hazards).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
from scipy.linalg import expm

from forecast.states import DAYS_PER_YEAR, STATES, TRANSITION_LABELS, TRANSITIONS, state_index


def generator(hazards: np.ndarray, transitions: tuple[tuple[str, str], ...] = TRANSITIONS) -> np.ndarray:
    """Generators Q (..., 4, 4) from hazards (..., n_transitions): off-diagonal rates, rows summing to zero."""
    hazards = np.asarray(hazards, dtype=float)
    q = np.zeros(hazards.shape[:-1] + (len(STATES), len(STATES)))
    for t, (origin, target) in enumerate(transitions):
        q[..., state_index(origin), state_index(target)] += hazards[..., t]
    q[..., np.arange(len(STATES)), np.arange(len(STATES))] = -q.sum(axis=-1)
    return q


def step_dates(as_of: date, horizon: date) -> list[date]:
    """Step boundaries: the as-of date, every seventh day after it, and the horizon exactly."""
    if horizon <= as_of:
        raise ValueError("horizon must be after the as-of date")
    n_full = (horizon - as_of).days // 7
    dates = [as_of + timedelta(days=7 * k) for k in range(n_full + 1)]
    return dates if dates[-1] == horizon else [*dates, horizon]


def step_years(dates: list[date]) -> np.ndarray:
    """Length in years of each step between consecutive boundaries."""
    return np.array([(b - a).days for a, b in pairwise(dates)]) / DAYS_PER_YEAR


TAYLOR_ORDER = 10
TAYLOR_NORM = 0.125  # with ||A|| <= 1/8 the order-10 remainder is below 1e-17


def taylor_order(norm: float) -> int:
    """Smallest Taylor order whose remainder bound ``norm^(m+1) / (m+1)!`` is below 1e-17 (at most 10).

    Weekly steps have norms near 0.01, where order 5 is already exact to double precision: half the work.
    """
    term = norm
    for m in range(1, TAYLOR_ORDER):
        term *= norm / (m + 1)  # norm^(m+1) / (m+1)!
        if term < 1e-17:
            return m
    return TAYLOR_ORDER


def stacked_expm(a: np.ndarray) -> np.ndarray:
    """expm of every matrix in a stack (..., n, n): scaling and squaring with a Taylor polynomial.

    scipy.linalg.expm gives the same numbers (tests: 1e-13) but pays a per-matrix overhead that
    dominates for the ~230,000 small matrices of one forecast (4x slower here).
    """
    norm = float(np.abs(a).sum(axis=-1).max(initial=0.0))
    squarings = max(0, int(np.ceil(np.log2(norm / TAYLOR_NORM)))) if norm > 0 else 0
    scaled = a / 2.0**squarings
    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    out = eye.copy()
    for k in range(taylor_order(norm / 2.0**squarings), 0, -1):  # Horner: I + A (I + A/2 (I + ... ))
        out = eye + (scaled @ out) / k
    for _ in range(squarings):
        out = out @ out
    return out


def state_probabilities(q: np.ndarray, dt: np.ndarray, start: int) -> np.ndarray:
    """P(state) at every step boundary (..., n_steps + 1, 4) from a known start state.

    ``q`` is (..., n_steps, 4, 4), one generator per step, ``dt`` the step lengths in years.
    """
    steps = stacked_expm(q * dt[:, None, None])
    p = np.zeros(q.shape[:-3] + (len(STATES),))
    p[..., start] = 1.0
    out = [p]
    for k in range(q.shape[-3]):
        p = np.einsum("...i,...ij->...j", p, steps[..., k, :, :])
        out.append(p)
    return np.clip(np.stack(out, axis=-2), 0.0, 1.0)


def rate_vector(rates: Mapping[str, float | np.ndarray]) -> np.ndarray:
    """Hazards (..., n_transitions) in ``TRANSITIONS`` order from ``{"war->deal": rate, ...}``; missing are 0."""
    unknown = set(rates) - set(TRANSITION_LABELS)
    if unknown:
        raise KeyError(f"not transitions of the four-state process: {sorted(unknown)}")
    values = {k: np.asarray(v, dtype=float) for k, v in rates.items()}
    shape = np.broadcast_shapes(*(v.shape for v in values.values())) if values else ()
    return np.stack([np.broadcast_to(values.get(label, 0.0), shape) for label in TRANSITION_LABELS], axis=-1)


def constant_state_probabilities(rates: Mapping[str, float | np.ndarray], start: str, years: float) -> np.ndarray:
    """P(state after ``years`` | ``start``) with constant hazards: the start row of expm(Q years), (..., 4)."""
    return expm(generator(rate_vector(rates)) * years)[..., state_index(start), :]


def constant_state_path(rates: Mapping[str, float | np.ndarray], start: str, step: float, steps: int) -> np.ndarray:
    """P(state) after 1..``steps`` steps of ``step`` years with constant hazards, (steps, ..., 4)."""
    one = expm(generator(rate_vector(rates)) * step)
    p = one[..., state_index(start), :]
    out = [p]
    for _ in range(steps - 1):
        p = np.einsum("...i,...ij->...j", p, one)
        out.append(p)
    return np.stack(out)
