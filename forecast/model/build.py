"""The PyMC model of DESIGN.md.

``p ~ Dirichlet(strength * base_rates)``; one diagnosticity exponent per evidence kind,
``tau_m ~ LogNormal(0, sd_m)``; item likelihoods tempered by tau, mixed with an uninformative
observation by reliability and weighted by cluster share and age; the discrete outcome is
marginalised with logsumexp.

Three choices keep it fast and right:

* The items enter through their per-kind sum ``S_mk(log tau_m)``, tabulated exactly on a fine grid
  (:mod:`forecast.model.marginal`) and interpolated linearly, so parameters and the cost of a gradient
  grow with the kind catalogue, never with the items: ten thousand items sample as fast as ten.
* ``given=None`` is the full model, the outcome marginalised with logsumexp. ``given=k`` is the
  model conditional on ``z = k`` (k itself a ``pm.Data``), which :mod:`forecast.model.inference` samples
  one outcome at a time. Given z, p is ``Dirichlet(strength * base_rates + e_k)`` independent of
  tau (conjugacy), so the conditional model holds tau alone and p is drawn exactly; NUTS on p with
  pseudo-counts below 1 needs long trajectories through the simplex's exponential tails.
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

from forecast.inputs.schema import Question
from forecast.model.design import EvidenceArrays
from forecast.model.marginal import LikelihoodTable, tabulate


def data_values(table: LikelihoodTable) -> dict[str, np.ndarray]:
    """Values for the model's evidence ``pm.Data`` containers."""
    return {"log_tau_grid": table.grid, "log_lik_table": table.log_lik_sum}


def _segments(grid, x):
    """Per row m of the increasing ``grid``: the segment holding x[m] (clipped to the ends, so
    values extrapolate linearly) and the position in it. Vectorised over rows: a comparison count
    instead of a per-row searchsorted keeps the graph small."""
    rows = pt.arange(grid.shape[0])
    index = pt.clip(pt.sum(pt.le(grid, x[:, None]), axis=1) - 1, 0, grid.shape[1] - 2)
    low, high = grid[rows, index], grid[rows, index + 1]
    return rows, index, (x - low) / (high - low), high - low


def _interpolate(segments, values):
    """Row-wise linear interpolation of values[m, :, ...] in the given segments."""
    rows, index, frac, _ = segments
    low, high = values[rows, index], values[rows, index + 1]
    return low + (high - low) * (frac[:, None] if values.ndim == 3 else frac)


def build_model(
    question: Question, evidence: EvidenceArrays, given: int | None = None, table: LikelihoodTable | None = None
) -> pm.Model:
    """The forecaster's PyMC model; ``given`` conditions on one outcome (see module docstring)."""
    table = table if table is not None else tabulate(evidence)
    base_rates = np.array([question.prior.base_rates[o] for o in evidence.outcomes])
    coords = {"outcome": list(evidence.outcomes), "kind": list(evidence.kinds)}
    with pm.Model(coords=coords) as model:
        values = {name: pm.Data(name, value) for name, value in data_values(table).items()}
        white_grid = pm.Data("white_grid", table.grid / evidence.kind_sd[:, None])

        # tau ~ LogNormal(0, sd), sampled in whitened coordinates x with the exact log-Jacobian
        x = pm.Flat("tau_white", dims="kind")
        white_segments = _segments(white_grid, x)
        log_tau = _interpolate(white_segments, values["log_tau_grid"])
        pm.Deterministic("tau", pt.exp(log_tau), dims="kind")
        # density of x: LogNormal(tau) * |dtau/dx| = Normal(log tau; 0, sd) * |d log tau / dx|
        rows, index, _, white_width = white_segments
        log_slope = pt.log(
            (values["log_tau_grid"][rows, index + 1] - values["log_tau_grid"][rows, index]) / white_width
        )
        pm.Potential("tau_prior", (pm.logp(pm.Normal.dist(mu=0.0, sigma=evidence.kind_sd), log_tau) + log_slope).sum())

        log_lik_by_kind = _interpolate(_segments(values["log_tau_grid"], log_tau), values["log_lik_table"])
        log_lik = pm.Deterministic("log_lik", log_lik_by_kind.sum(axis=0), dims="outcome")
        if given is None:
            p = pm.Dirichlet("p", a=question.prior.strength * base_rates, dims="outcome")
            pm.Potential("evidence", pt.logsumexp(pt.log(p) + log_lik))
            pm.Deterministic("forecast", pt.special.softmax(pt.log(p) + log_lik), dims="outcome")
        else:
            pm.Potential("evidence", log_lik[pm.Data("given", np.array(given, dtype="int64"))])
    return model
