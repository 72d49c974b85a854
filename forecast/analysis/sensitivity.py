"""How far the forecast moves when each assumption moves, reusing the fit wherever that is valid.

Three kinds of change, three ways to get the answer:

* **Prior-only** (the reference class, a link prior): the baseline hazards and the links enter no
  likelihood (readings measure drivers, not transitions), so their posterior is their prior and is
  sampled non-centred (``log_h0 = mu + sd z``, ``beta = m + s z``). Re-transforming the same ``z``
  with the alternative prior is an exact draw from the alternative posterior: ``exact``, with common
  random numbers (the same draws on both sides), on a thinned subset of draws.
* **The readings change** (a source dropped, the measurement noise scaled): the new posterior is the
  old one reweighted by ``p_new(y | x) / p_old(y | x)``; Pareto-smoothed (PSIS) and trusted when its
  Pareto k is at most 0.7 (``reweighted``), else the model is refitted on the new readings (``refit``).
* **The drivers' drift** (the stationary sd of their walks, halved or doubled at the same half-life):
  the prior of every path moves by 2.3 of its own sds, where no reweighting survives, so it is always
  refitted (``refit``), with the baseline re-matched to the reference class under the new drift.

Refits use fewer draws than the run (``REFIT_DRAWS`` per chain) to keep a weekly run fast, and their
change is taken against a refit of the unchanged readings with the same draws and seed (:class:`Refits`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import arviz as az
import numpy as np

from forecast.model.attribution import smoothed_weights
from forecast.model.fit import Draws, Forecaster, stacked, state_draws
from forecast.model.readings import Readings, reading_log_lik
from forecast.model.spec import Spec

K_THRESHOLD = 0.7
EXACT_DRAWS = 500  # thinned draws for prior-only cases (common random numbers make the change precise)
REFIT_DRAWS = 300  # draws and tuning steps per chain of a sensitivity refit
FLAT_WEIGHTS = 1e-9  # log weights spread less than this: the readings did not change

Method = Literal["exact", "reweighted", "refit"]
Group = Literal["reference", "link", "measured", "drift", "noise", "source", "cluster"]


@dataclass(frozen=True)
class Case:
    """The horizon forecast under one changed assumption, and its change from the run's forecast."""

    group: Group
    assumption: str
    setting: str
    outcomes: dict[str, float]
    change: dict[str, float]
    method: Method
    pareto_k: float | None = None


@dataclass(frozen=True)
class PriorChange:
    """An alternative prior for the hazards or links: the same model otherwise (answered exactly)."""

    group: Group
    assumption: str
    setting: str
    spec: Spec


@dataclass(frozen=True)
class DataChange:
    """Alternative readings (a source dropped, noise scaled): reweighted, refitted if PSIS fails."""

    group: Group
    assumption: str
    setting: str
    readings: Readings


@dataclass(frozen=True)
class DriftChange:
    """The drivers' sd prior scaled by ``factor``; ``spec`` is the question's spec re-matched under it."""

    assumption: str
    setting: str
    factor: float
    spec: Spec


def transformed(idata: az.InferenceData, spec: Spec, index: np.ndarray | None = None) -> Draws:
    """The posterior's draws with hazards and links re-built from their standard-normal coordinates under ``spec``."""
    pick = slice(None) if index is None else index
    z_h0, z_beta, x = stacked(idata, "log_h0_z")[pick], stacked(idata, "beta_z")[pick], stacked(idata, "x")[pick]
    base = Draws.of(idata)
    gamma = None
    if base.gamma is not None:
        effects = spec.measured
        gamma = effects.log_mean + effects.log_sd * stacked(idata, "gamma_z")[pick]
    return Draws(
        spec.log_h0_mu + spec.log_h0_sd * z_h0, spec.beta_mean + spec.beta_sd * z_beta, x, gamma, base.presence
    )


def _horizon_mean(draws: Draws, spec: Spec, as_of: date, horizon: date, state: str) -> np.ndarray:
    return state_draws(draws, spec, as_of, horizon, state)[1][:, -1, :].mean(axis=0)


def _case(
    base: np.ndarray,
    value: np.ndarray,
    states: tuple[str, ...],
    fields: tuple[Group, str, str],
    method: Method,
    k: float | None = None,
) -> Case:
    group, assumption, setting = fields
    return Case(
        group=group,
        assumption=assumption,
        setting=setting,
        outcomes={s: float(value[i]) for i, s in enumerate(states)},
        change={s: float(value[i] - base[i]) for i, s in enumerate(states)},
        method=method,
        pareto_k=None if k is None else float(k),
    )


def prior_cases(
    idata: az.InferenceData,
    spec: Spec,
    changes: list[PriorChange],
    base: np.ndarray,
    as_of: date,
    horizon: date,
    state: str,
    states: tuple[str, ...],
) -> list[Case]:
    """Exact answers for prior-only changes: the change is computed on a thinned subset of draws on
    both sides (common random numbers) and added to the run's own forecast ``base``."""
    n = stacked(idata, "x").shape[0]
    index = np.unique(np.linspace(0, n - 1, min(n, EXACT_DRAWS)).astype(int))
    thin_base = _horizon_mean(transformed(idata, spec, index), spec, as_of, horizon, state)
    out = []
    for change in changes:
        alternative = _horizon_mean(transformed(idata, change.spec, index), change.spec, as_of, horizon, state)
        fields = (change.group, change.assumption, change.setting)
        out.append(_case(base, base + alternative - thin_base, states, fields, "exact"))
    return out


class Refits:
    """Cheaper refits (``REFIT_DRAWS``) and their change against a refit of the unchanged readings.

    The change of a refit is taken against a refit with the same draws and seed on the run's own
    readings, not against the run itself, so the reduced sampler's own Monte Carlo offset cancels.
    """

    def __init__(self, forecaster: Forecaster, evidence: Readings, as_of: date, horizon: date, state: str, seed: int):
        self.forecaster, self.evidence, self.seed = forecaster, evidence, seed
        self.as_of, self.horizon, self.state = as_of, horizon, state
        self._base: np.ndarray | None = None
        self.count = 0

    def horizon_mean(self, readings: Readings, drift: float = 1.0, spec: Spec | None = None) -> np.ndarray:
        """Mean horizon chances of a refit; ``spec`` re-matches the baseline hazards (drift changes)."""
        spec = spec or self.forecaster.spec
        draws = min(REFIT_DRAWS, self.forecaster.draws)  # never more than the run itself
        idata = self.forecaster.fit(readings, seed=self.seed, drift=drift, draws=draws)
        self.count += 1
        return _horizon_mean(transformed(idata, spec), spec, self.as_of, self.horizon, self.state)

    def change(self, readings: Readings, drift: float = 1.0, spec: Spec | None = None) -> np.ndarray:
        if self._base is None:
            self._base = self.horizon_mean(self.evidence)
        return self.horizon_mean(readings, drift, spec) - self._base


def data_cases(
    idata: az.InferenceData,
    spec: Spec,
    evidence: Readings,
    changes: list[DataChange],
    per_draw: np.ndarray,
    states: tuple[str, ...],
    refits: Refits,
) -> list[Case]:
    """Reweighted answers for changed readings, refitted when PSIS fails.

    Log weights that are all equal (a dropped report that did not change its cluster's reading)
    mean an unchanged posterior: PSIS's tail fit is degenerate there (k = inf) but the answer is exact.
    """
    if not changes:
        return []
    x = stacked(idata, "x")
    old = reading_log_lik(evidence, x, spec.noise_sd).sum(axis=1)
    log_w = np.array([reading_log_lik(c.readings, x, spec.noise_sd).sum(axis=1) - old for c in changes])
    smoothed, k = smoothed_weights(log_w)
    base = per_draw.mean(axis=0)
    draws = Draws.of(idata)
    out = []
    for j, change in enumerate(changes):
        fields = (change.group, change.assumption, change.setting)
        # measured events enter no likelihood: a change to them is exact on the same draws
        changed = per_draw
        if draws.presence is not None and not np.array_equal(change.readings.presence(spec), draws.presence):
            moved = replace(draws, presence=change.readings.presence(spec))
            changed = state_draws(moved, spec, refits.as_of, refits.horizon, refits.state)[1][:, -1, :]
        if np.ptp(log_w[j]) < FLAT_WEIGHTS:
            method: Method = "exact" if changed is not per_draw else "reweighted"
            out.append(_case(base, changed.mean(axis=0), states, fields, method, 0.0))
        elif k[j] <= K_THRESHOLD:  # inf or NaN fails this test too
            out.append(_case(base, np.exp(smoothed[j]) @ changed, states, fields, "reweighted", k[j]))
        else:
            out.append(_case(base, base + refits.change(change.readings), states, fields, "refit", k[j]))
    return out


def drift_cases(changes: list[DriftChange], base: np.ndarray, states: tuple[str, ...], refits: Refits) -> list[Case]:
    """Refits with the drivers' sd prior scaled; the baseline hazards re-matched under the new drift."""
    out = []
    for change in changes:
        value = base + refits.change(refits.evidence, change.factor, change.spec)
        out.append(_case(base, value, states, ("drift", change.assumption, change.setting), "refit"))
    return out
