"""The evidence, summarised per kind on a grid, and the exact outcome weights it implies.

Given the outcome, the evidence touches the parameters only through one function per kind:
``S_mk(u) = sum over kind-m items of w_j log l_jk(tau_m = e^u)``. Tabulating it once on a grid
(:class:`LikelihoodTable`) makes the sampled model's cost independent of the number of items.

The same table gives the outcome weights exactly. The posterior over outcomes is
``P(z=k|E) ∝ base_rate_k * Z_k`` with ``Z_k = E_prior[L_k(tau)]`` (DESIGN.md, "measured pitfall");
tau of each kind is independent a priori and reliability is item-level (it integrates in closed
form, being linear), so ``Z_k`` factorises into 1-D integrals over ``u = log tau_m ~ N(0, sd_m)``.
Each grid is adaptive: a coarse scan finds where the integrand lives (far in the prior's tail when
a thousand items argue against an outcome), then a fine grid there carries Simpson's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from forecast.design import EvidenceArrays
from forecast.likelihood import log_item_likelihood

COARSE_POINTS = 1201
GRID_POINTS = 401  # odd, for Simpson's rule
RELEVANT_LOG_RANGE = 40.0  # integrand below max - 40 (e^-40 relative) is outside the grid
CHUNK = 1024


@dataclass(frozen=True)
class LikelihoodTable:
    """Per-kind grids in u = log tau and the summed log-likelihood on them."""

    start: np.ndarray  # (M,) first grid point per kind
    step: np.ndarray  # (M,) grid spacing per kind
    log_lik_sum: np.ndarray  # (M, G, K)

    def grid(self, m: int) -> np.ndarray:
        return self.start[m] + self.step[m] * np.arange(self.log_lik_sum.shape[1])


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
        yield sel, log_item_likelihood(
            arrays.log_lik[sel], np.broadcast_to(tau, (u.size, sel.size)), arrays.reliability[sel], arrays.weight[sel]
        )


def _summed(arrays: EvidenceArrays, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    total = np.zeros((u.size, len(arrays.outcomes)))
    for _, terms in _item_terms(arrays, rows, u):
        total += terms.sum(axis=1)
    return total


def _grid_range(arrays: EvidenceArrays, rows: np.ndarray, sd: float) -> tuple[float, float]:
    """Interval of u where prior x likelihood matters for at least one outcome."""
    if rows.size == 0:
        return -8.0 * sd, 8.0 * sd
    coarse = np.linspace(-(40.0 + 6 * sd), 6 * sd + 2.0, COARSE_POINTS)
    h = log_normal_density(coarse, sd)[:, None] + _summed(arrays, rows, coarse)
    relevant = (h >= h.max(axis=0) - RELEVANT_LOG_RANGE).any(axis=1)
    step = coarse[1] - coarse[0]
    return coarse[relevant].min() - 2 * step, coarse[relevant].max() + 2 * step


def tabulate(arrays: EvidenceArrays) -> LikelihoodTable:
    """Summed log-likelihood per kind on a grid that covers every outcome's posterior."""
    n_kinds, n_outcomes = len(arrays.kinds), len(arrays.outcomes)
    start, step = np.zeros(n_kinds), np.zeros(n_kinds)
    table = np.zeros((n_kinds, GRID_POINTS, n_outcomes))
    for m, sd in enumerate(arrays.kind_sd):
        rows = np.flatnonzero(arrays.kind_index == m)
        low, high = _grid_range(arrays, rows, float(sd))
        start[m], step[m] = low, (high - low) / (GRID_POINTS - 1)
        table[m] = _summed(arrays, rows, low + step[m] * np.arange(GRID_POINTS))
    return LikelihoodTable(start, step, table)


def _log_simpson_weights(step: float) -> np.ndarray:
    weights = np.ones(GRID_POINTS)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    return np.log(weights * step / 3.0)


def outcome_weights(arrays: EvidenceArrays, table: LikelihoodTable, base_rates: np.ndarray) -> OutcomeWeights:
    """Exact P(z=k|E) and the leave-one-out probabilities for every item."""
    log_marginal = np.zeros(len(arrays.outcomes))
    # log Z_k without item j = log Z_k + (log Z_mk without j - log Z_mk), m = j's kind
    loo_shift = np.zeros((arrays.n_items, len(arrays.outcomes)))
    for m, sd in enumerate(arrays.kind_sd):
        rows = np.flatnonzero(arrays.kind_index == m)
        if rows.size == 0:
            continue
        u = table.grid(m)
        h = (log_normal_density(u, float(sd)) + _log_simpson_weights(table.step[m]))[:, None] + table.log_lik_sum[m]
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
