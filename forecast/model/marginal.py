"""The evidence, summarised per kind on a grid, and the exact outcome weights it implies.

Given the outcome, the evidence touches the parameters only through one function per kind:
``S_mk(u) = sum over kind-m items of w_j log l_jk(tau_m = e^u)``. Tabulating it once on a grid
(:class:`LikelihoodTable`) makes the sampled model's cost independent of the number of items.

The same table gives the outcome weights exactly. The posterior over outcomes is
``P(z=k|E) ∝ base_rate_k * Z_k`` with ``Z_k = E_prior[L_k(tau)]`` (DESIGN.md, "measured pitfall");
tau of each kind is independent a priori and reliability is item-level (it integrates in closed
form, being linear), so ``Z_k`` factorises into 1-D integrals over ``u = log tau_m ~ N(0, sd_m)``.
Each grid is adaptive: a coarse scan finds, for each outcome, where the integrand lives (far in the
prior's tail when a thousand items argue against that outcome), and the grid is the union of a
fine grid over each of those regions; the trapezoidal rule on it gives ``Z_mk``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, ndtri

from forecast.model.design import EvidenceArrays
from forecast.model.likelihood import log_item_likelihood

COARSE_POINTS = 401
POINTS_PER_OUTCOME = 201
RELEVANT_LOG_RANGE = 40.0  # integrand below max - 40 (e^-40 relative) is outside the grid
CHUNK = 1024


@dataclass(frozen=True)
class LikelihoodTable:
    """Per-kind grids in u = log tau and the summed log-likelihood on them."""

    grid: np.ndarray  # (M, G) strictly increasing per kind
    log_lik_sum: np.ndarray  # (M, G, K)


@dataclass(frozen=True)
class OutcomeWeights:
    """Per-outcome log marginal likelihood and posterior probability, with leave-one-out values."""

    log_marginal: np.ndarray  # (K,) log Z_k
    probability: np.ndarray  # (K,) P(z=k | E)
    loo_probability: np.ndarray  # (N, K) P(z=k | E without item j)


def log_normal_density(u: np.ndarray, sd: float) -> np.ndarray:
    return -0.5 * (u / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))


def _item_terms(arrays: EvidenceArrays, rows: np.ndarray, u: np.ndarray):
    """Yield (item rows, (G, n, K) weighted log l_jk at tau = exp(u)) chunk by chunk."""
    tau = np.exp(u)[:, None]
    for start in range(0, rows.size, CHUNK):
        sel = rows[start : start + CHUNK]
        yield (
            sel,
            log_item_likelihood(
                arrays.log_lik[sel],
                np.broadcast_to(tau, (u.size, sel.size)),
                arrays.reliability[sel],
                arrays.weight[sel],
            ),
        )


def _summed(arrays: EvidenceArrays, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    total = np.zeros((u.size, len(arrays.outcomes)))
    for _, terms in _item_terms(arrays, rows, u):
        total += terms.sum(axis=1)
    return total


def _outcome_regions(arrays: EvidenceArrays, rows: np.ndarray, sd: float) -> list[tuple[float, float]]:
    """Per outcome, the interval of u where prior x likelihood is within e^-40 of its peak."""
    coarse = np.union1d(np.linspace(-(40.0 + 6 * sd), 6 * sd + 2.0, COARSE_POINTS), sd * np.linspace(-12, 12, 241))
    h = log_normal_density(coarse, sd)[:, None] + _summed(arrays, rows, coarse)
    regions = []
    for k in range(h.shape[1]):
        inside = np.flatnonzero(h[:, k] >= h[:, k].max() - RELEVANT_LOG_RANGE)
        regions.append((coarse[max(inside[0] - 1, 0)], coarse[min(inside[-1] + 1, coarse.size - 1)]))
    return regions


def _grid(regions: list[tuple[float, float]]) -> np.ndarray:
    """Union of a fine grid per outcome region, padded past the top to a fixed length."""
    points = np.unique(np.concatenate([np.linspace(lo, hi, POINTS_PER_OUTCOME) for lo, hi in regions]))
    missing = len(regions) * POINTS_PER_OUTCOME - points.size
    step = points[-1] - points[-2]
    return np.concatenate([points, points[-1] + step * np.arange(1, missing + 1)])


def tabulate(arrays: EvidenceArrays) -> LikelihoodTable:
    """Summed log-likelihood per kind on a grid fine wherever any outcome's posterior lives."""
    n_points = len(arrays.outcomes) * POINTS_PER_OUTCOME
    grid = np.zeros((len(arrays.kinds), n_points))
    table = np.zeros((len(arrays.kinds), n_points, len(arrays.outcomes)))
    for m, sd in enumerate(arrays.kind_sd):
        rows = np.flatnonzero(arrays.kind_index == m)
        if rows.size == 0:
            grid[m] = _grid([(-8.0 * sd, 8.0 * sd)] * len(arrays.outcomes))
            continue
        grid[m] = _grid(_outcome_regions(arrays, rows, float(sd)))
        table[m] = _summed(arrays, rows, grid[m])
    return LikelihoodTable(grid, table)


def _log_trapezoid_weights(u: np.ndarray) -> np.ndarray:
    gaps = np.diff(u)
    return np.log(np.concatenate([[gaps[0]], gaps[:-1] + gaps[1:], [gaps[-1]]]) / 2.0)


def outcome_weights(arrays: EvidenceArrays, table: LikelihoodTable, base_rates: np.ndarray) -> OutcomeWeights:
    """Exact P(z=k|E) and the leave-one-out probabilities for every item."""
    log_marginal = np.zeros(len(arrays.outcomes))
    # log Z_k without item j = log Z_k + (log Z_mk without j - log Z_mk), m = j's kind
    loo_shift = np.zeros((arrays.n_items, len(arrays.outcomes)))
    for m, sd in enumerate(arrays.kind_sd):
        rows = np.flatnonzero(arrays.kind_index == m)
        if rows.size == 0:
            continue
        u = table.grid[m]
        h = (log_normal_density(u, float(sd)) + _log_trapezoid_weights(u))[:, None] + table.log_lik_sum[m]
        log_z = logsumexp(h, axis=0)
        log_marginal += log_z
        for sel, terms in _item_terms(arrays, rows, u):
            loo_shift[sel] = logsumexp(h[:, None, :] - terms, axis=0) - log_z
    log_post = np.log(base_rates) + log_marginal
    loo_log = log_post[None, :] + loo_shift
    return OutcomeWeights(
        log_marginal=log_marginal,
        probability=np.exp(log_post - logsumexp(log_post)),
        loo_probability=np.exp(loo_log - logsumexp(loo_log, axis=1, keepdims=True)),
    )


def whitening_grid(table: LikelihoodTable, kind_sd: np.ndarray, given: int) -> np.ndarray:
    """(M, G) values of ``Phi^-1(F(u))`` on each kind's grid, F the posterior CDF of u = log tau
    given outcome ``given``: the map that makes that posterior close to a standard normal."""
    white = np.zeros_like(table.grid)
    for m, sd in enumerate(kind_sd):
        u = table.grid[m]
        h = log_normal_density(u, float(sd)) + table.log_lik_sum[m, :, given]
        density = np.exp(h - h.max())
        mass = np.concatenate([[0.0], (density[1:] + density[:-1]) / 2 * np.diff(u)])
        below = np.cumsum(mass) / mass.sum()
        above = (np.cumsum(mass[::-1])[::-1] - mass) / mass.sum()  # P(U > u_g), accurate in the upper tail
        with np.errstate(divide="ignore"):
            z = np.where(below < 0.5, ndtri(below), -ndtri(above))
        z = np.clip(z, -40.0, 40.0)
        white[m] = np.maximum.accumulate(z) + 1e-9 * np.arange(z.size)  # strictly increasing
    return white
