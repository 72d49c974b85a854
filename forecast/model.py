"""The PyMC model of DESIGN.md.

``p ~ Dirichlet(strength * base_rates)``; one diagnosticity exponent per evidence kind,
``tau_m ~ LogNormal(0, sd_m)``; item likelihoods tempered by tau, mixed with an uninformative
observation by reliability and weighted by cluster share and age; the discrete outcome is
marginalised with logsumexp.

Three choices keep it fast and right:

* The items enter through their per-kind sum ``S_mk(log tau_m)``, tabulated exactly on a fine grid
  (:mod:`forecast.marginal`) and interpolated linearly, so parameters and the cost of a gradient
  grow with the kind catalogue, never with the items: ten thousand items sample as fast as ten.
* ``given=None`` marginalises the outcome with logsumexp; ``given=k`` conditions on ``z = k``
  (one term of the mixture, k itself a ``pm.Data``), which :mod:`forecast.inference` samples one
  outcome at a time.
* tau is sampled in whitened coordinates (transport-map preconditioning, as in NeuTra-HMC): the
  free variable is ``x = Phi^-1(F(log tau))`` with F the conditional posterior CDF of log tau from
  the grid, and ``tau ~ LogNormal(0, sd)`` enters as a potential with the exact log-Jacobian.
  Strong evidence makes the posterior of log tau a double-exponential cliff that NUTS cannot step
  across (hundreds of divergences in log space); in x it is close to a standard normal. The
  density is unchanged, only the sampler's coordinates move. The default map is ``log(tau) / sd``.

Everything data-like is ``pm.Data``, so one compiled model serves every outcome condition and every
week of a backfill.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from forecast.design import EvidenceArrays
from forecast.marginal import LikelihoodTable, tabulate
from forecast.schema import Question

def data_values(table: LikelihoodTable) -> dict[str, np.ndarray]:
    """Values for the model's evidence ``pm.Data`` containers."""
    return {"log_tau_grid": table.grid, "log_lik_table": table.log_lik_sum}


def _segments(grid, x, n_rows: int):
    """Per row m: the grid segment holding x[m] (clipped to the ends) and the position in it."""
    out = []
    for m in range(n_rows):
        index = pt.clip(pt.extra_ops.searchsorted(grid[m], x[m]) - 1, 0, grid.shape[1] - 2)
        frac = (x[m] - grid[m, index]) / (grid[m, index + 1] - grid[m, index])
        out.append((index, frac))
    return out


def _interpolate(grid, values, x, n_rows: int):
    """Row-wise linear interpolation (and extrapolation) of values[m, :, ...] at x[m]."""
    rows = [values[m, i] + (values[m, i + 1] - values[m, i]) * f for m, (i, f) in enumerate(_segments(grid, x, n_rows))]
    return pt.stack(rows)


def _slopes(grid, values, x, n_rows: int):
    rows = [(values[m, i + 1] - values[m, i]) / (grid[m, i + 1] - grid[m, i]) for m, (i, _) in enumerate(_segments(grid, x, n_rows))]
    return pt.stack(rows)


def build_model(
    question: Question, evidence: EvidenceArrays, given: int | None = None, table: LikelihoodTable | None = None
) -> pm.Model:
    """The forecaster's PyMC model; ``given`` conditions on one outcome (see module docstring)."""
    table = table if table is not None else tabulate(evidence)
    base_rates = np.array([question.prior.base_rates[o] for o in evidence.outcomes])
    n_kinds = len(evidence.kinds)
    coords = {"outcome": list(evidence.outcomes), "kind": list(evidence.kinds)}
    with pm.Model(coords=coords) as model:
        values = {name: pm.Data(name, value) for name, value in data_values(table).items()}
        white_grid = pm.Data("white_grid", table.grid / evidence.kind_sd[:, None])

        p = pm.Dirichlet("p", a=question.prior.strength * base_rates, dims="outcome")
        # tau ~ LogNormal(0, sd), sampled in whitened coordinates x with the exact log-Jacobian
        x = pm.Flat("tau_white", dims="kind")
        log_tau = _interpolate(white_grid, values["log_tau_grid"], x, n_kinds)
        tau = pm.Deterministic("tau", pt.exp(log_tau), dims="kind")
        # density of x: LogNormal(tau) * |dtau/dx| = Normal(log tau; 0, sd) * |d log tau / dx|
        log_slope = pt.log(_slopes(white_grid, values["log_tau_grid"], x, n_kinds))
        pm.Potential("tau_prior", (pm.logp(pm.Normal.dist(mu=0.0, sigma=evidence.kind_sd), log_tau) + log_slope).sum())

        log_lik_by_kind = _interpolate(values["log_tau_grid"], values["log_lik_table"], log_tau, n_kinds)
        joint = pt.log(p) + log_lik_by_kind.sum(axis=0)
        if given is None:
            pm.Potential("evidence", pt.logsumexp(joint))
        else:
            pm.Potential("evidence", joint[pm.Data("given", np.array(given, dtype="int64"))])
        pm.Deterministic("forecast", pt.special.softmax(joint), dims="outcome")
    return model
