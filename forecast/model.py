"""The PyMC model of DESIGN.md.

``p ~ Dirichlet(strength * base_rates)``; one diagnosticity exponent per evidence kind,
``tau_m ~ LogNormal(0, sd_m)``; item likelihoods tempered by tau, mixed with an uninformative
observation by reliability and weighted by cluster share and age; the discrete outcome is
marginalised with logsumexp.

The items enter through their per-kind sum ``S_mk(log tau_m)``, tabulated exactly on a fine grid
(:mod:`forecast.marginal`) and interpolated linearly here, so parameters and the cost of one
gradient grow with the kind catalogue, never with the items: ten thousand items sample as fast
as ten. Everything data-like is ``pm.Data``, so one compiled model serves every outcome condition
and every week of a backfill. ``log_condition`` is a log-mask on the outcome mixture: zeros give
the marginal model; 0 at k and -1e30 elsewhere give the model conditional on ``z = k``, which is
unimodal and is what :mod:`forecast.inference` samples.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from forecast.design import EvidenceArrays
from forecast.marginal import LikelihoodTable, tabulate
from forecast.schema import Question

EXCLUDED = -1e30  # log-mask value for outcomes a condition rules out


def data_values(table: LikelihoodTable) -> dict[str, np.ndarray]:
    """Values for the model's evidence ``pm.Data`` containers."""
    return {"log_tau_grid": table.grid, "log_lik_table": table.log_lik_sum}


def condition_mask(n_outcomes: int, given: int | None) -> np.ndarray:
    """Log-mask for the outcome mixture: all zeros, or conditioned on outcome ``given``."""
    mask = np.zeros(n_outcomes)
    if given is not None:
        mask[:] = EXCLUDED
        mask[given] = 0.0
    return mask


def _interpolate(grid, table, u, n_kinds: int):
    """Per kind m, linear interpolation of table[m, :, k] at u[m] on the increasing grid[m]."""
    rows = []
    for m in range(n_kinds):
        index = pt.clip(pt.extra_ops.searchsorted(grid[m], u[m]) - 1, 0, grid.shape[1] - 2)
        frac = (u[m] - grid[m, index]) / (grid[m, index + 1] - grid[m, index])
        rows.append(table[m, index] * (1 - frac) + table[m, index + 1] * frac)
    return pt.stack(rows)


def build_model(
    question: Question, evidence: EvidenceArrays, given: int | None = None, table: LikelihoodTable | None = None
) -> pm.Model:
    """The forecaster's PyMC model; ``given`` conditions on one outcome (see module docstring)."""
    table = table if table is not None else tabulate(evidence)
    base_rates = np.array([question.prior.base_rates[o] for o in evidence.outcomes])
    coords = {"outcome": list(evidence.outcomes), "kind": list(evidence.kinds)}
    with pm.Model(coords=coords) as model:
        values = {name: pm.Data(name, value) for name, value in data_values(table).items()}
        log_condition = pm.Data("log_condition", condition_mask(len(base_rates), given), dims="outcome")

        p = pm.Dirichlet("p", a=question.prior.strength * base_rates, dims="outcome")
        tau = pm.LogNormal("tau", mu=0.0, sigma=evidence.kind_sd, dims="kind")

        log_lik_by_kind = _interpolate(values["log_tau_grid"], values["log_lik_table"], pt.log(tau), len(evidence.kinds))
        joint = pt.log(p) + log_lik_by_kind.sum(axis=0)
        pm.Potential("evidence", pt.logsumexp(joint + log_condition))
        pm.Deterministic("forecast", pt.special.softmax(joint), dims="outcome")
    return model
