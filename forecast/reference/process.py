"""The four-state continuous-time Markov process: generator matrix and its matrix exponential."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.linalg import expm

from forecast.reference.hazards import STATES, TRANSITIONS, key

STATE_INDEX: dict[str, int] = {s: i for i, s in enumerate(STATES)}


def generator(hazards: Mapping[str, float | np.ndarray]) -> np.ndarray:
    """Generator Q (..., 4, 4) in ``STATES`` order: Q[i, j] = h(i->j), rows sum to zero.

    ``hazards`` maps "source->target" to a per-year rate, a scalar or an array of draws;
    missing transitions are zero.
    """
    values = {k: np.asarray(v, dtype=float) for k, v in hazards.items()}
    unknown = set(values) - {key(s, t) for s, t in TRANSITIONS}
    if unknown:
        raise KeyError(f"not transitions of the four-state process: {sorted(unknown)}")
    shape = np.broadcast_shapes(*(v.shape for v in values.values())) if values else ()
    q = np.zeros((*shape, len(STATES), len(STATES)))
    for s, t in TRANSITIONS:
        if key(s, t) in values:
            q[..., STATE_INDEX[s], STATE_INDEX[t]] = values[key(s, t)]
    q[..., range(len(STATES)), range(len(STATES))] = -q.sum(axis=-1)
    return q


def state_probabilities(hazards: Mapping[str, float | np.ndarray], start_state: str, years: float) -> np.ndarray:
    """P(state at t = years | start_state): the start row of expm(Q * years), shape (..., 4)."""
    q = generator(hazards)
    return expm(q * years)[..., STATE_INDEX[start_state], :]


def state_path(
    hazards: Mapping[str, float | np.ndarray], start_state: str, step_years: float, steps: int
) -> np.ndarray:
    """State probabilities after 1..steps steps of ``step_years``, shape (steps, ..., 4).

    One expm per draw, then repeated products p(t + dt) = p(t) expm(Q dt): exact, and cheap.
    """
    step = expm(generator(hazards) * step_years)
    p = step[..., STATE_INDEX[start_state], :]
    out = [p]
    for _ in range(steps - 1):
        p = np.einsum("...i,...ij->...j", p, step)
        out.append(p)
    return np.stack(out)
