"""Sampling that stays right when the evidence is overwhelming.

The posterior of (p, tau) is a mixture over outcomes k of the conditional posteriors given
``z = k`` with weights ``P(z=k|E)`` (DESIGN.md, "measured pitfall"): plain NUTS on the marginal
model locks each chain into one component. So we
1. compute the weights exactly by quadrature (:mod:`forecast.model.marginal`);
2. sample each conditional posterior with NUTS — unimodal, so chains agree — reusing one compiled
   model and one NUTS step across conditions (and across weeks of a backfill): the evidence is a
   per-kind table swapped through ``pm.Data``;
3. keep the conditional samples side by side on a ``given`` dimension (outcomes with posterior
   probability below ``NEGLIGIBLE`` are skipped); every posterior summary is the weight-averaged
   mixture of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import arviz as az
import numpy as np
import pymc as pm
import xarray as xr
from scipy.special import logsumexp

from forecast.inputs.schema import Question
from forecast.model.build import build_model, data_values
from forecast.model.design import EvidenceArrays
from forecast.model.marginal import LikelihoodTable, outcome_weights, tabulate, whitening_grid

SAMPLER_NAME = "NUTS per outcome condition (PyMC) + exact outcome weights by quadrature"
# Conditions less probable than this are not sampled: together they move no mean by more than
# 4e-9 and no interval at all, and evidence that all but rules an outcome out pushes its
# conditional posterior of tau into the prior's far tail, where NUTS is slowest.
NEGLIGIBLE = 1e-9


@dataclass(frozen=True)
class SamplerSettings:
    draws: int = 1000
    tune: int = 1000
    chains: int = 2
    target_accept: float = (
        0.8  # the piecewise-linear whitening map leaves small density steps; higher targets starve the step size
    )


class Forecaster:
    """One compiled model and NUTS step for a question; ``fit`` swaps evidence and condition."""

    def __init__(self, question: Question, arrays: EvidenceArrays, settings: SamplerSettings = SamplerSettings()):
        self.question = question
        self.settings = settings
        self.base_rates = np.array([question.prior.base_rates[o] for o in arrays.outcomes])
        self.kind_sd = arrays.kind_sd
        # built on an empty table: only shapes matter here, fit() swaps in the evidence
        no_items = arrays.select(np.zeros(arrays.n_items, dtype=bool))
        self.model = build_model(question, no_items, given=0, table=tabulate(no_items))
        with self.model:
            self.step = pm.NUTS(target_accept=settings.target_accept)

    def fit(
        self, arrays: EvidenceArrays, seed: int, on_condition: Callable[[str], None] | None = None
    ) -> az.InferenceData:
        """Posterior for ``arrays``: per-condition draws plus the exact mixture weights."""
        table = tabulate(arrays)
        weights = outcome_weights(arrays, table, self.base_rates)
        seeds = np.random.SeedSequence(seed).generate_state(len(arrays.outcomes))
        with self.model:
            pm.set_data(data_values(table))
        sampled = [k for k in range(len(arrays.outcomes)) if weights.probability[k] >= NEGLIGIBLE]
        conditional = []
        for k in sampled:
            if on_condition:
                on_condition(arrays.outcomes[k])
            conditional.append(self._sample_given(k, table, int(seeds[k])))
        return _assemble(conditional, [arrays.outcomes[k] for k in sampled], arrays, weights)

    def _sample_given(self, k: int, table: LikelihoodTable, seed: int) -> az.InferenceData:
        """NUTS on tau given z = k; p drawn exactly from its conjugate Dirichlet; the forecast
        P(z | p, tau, E) = softmax(log p + log L(tau)) per draw."""
        rng = np.random.default_rng(seed)
        chains, draws = self.settings.chains, self.settings.draws
        initvals = [{"tau_white": rng.normal(0.0, 0.5, len(self.kind_sd))} for _ in range(chains)]
        with self.model:
            pm.set_data({"given": np.array(k, dtype="int64"), "white_grid": whitening_grid(table, self.kind_sd, k)})
            idata = pm.sample(
                draws=draws,
                tune=self.settings.tune,
                chains=chains,
                cores=1,
                step=self.step,
                initvals=initvals,
                random_seed=seed,
                progressbar=False,
                compute_convergence_checks=False,
                quiet=True,
            )
        alpha = self.question.prior.strength * self.base_rates + np.eye(len(self.base_rates))[k]
        p = rng.dirichlet(alpha, size=(chains, draws))
        joint = np.log(p) + idata.posterior["log_lik"].values
        forecast = np.exp(joint - logsumexp(joint, axis=-1, keepdims=True))
        dims = ("chain", "draw", "outcome")
        idata.posterior["p"] = xr.DataArray(p, dims=dims, coords=idata.posterior["log_lik"].coords)
        idata.posterior["forecast"] = xr.DataArray(forecast, dims=dims, coords=idata.posterior["log_lik"].coords)
        return idata


def _assemble(
    conditional: list[az.InferenceData], sampled: list[str], arrays: EvidenceArrays, weights
) -> az.InferenceData:
    given = xr.IndexVariable("given", sampled)
    posterior = xr.concat([c.posterior for c in conditional], dim=given)
    sample_stats = xr.concat([c.sample_stats[["diverging", "tree_depth", "step_size"]] for c in conditional], dim=given)
    mixture = xr.Dataset(
        {
            "log_marginal_likelihood": ("given", weights.log_marginal),
            "weight": ("given", weights.probability),
            "loo_probability": (
                ("item", "outcome"),
                weights.loo_probability.reshape(arrays.n_items, len(arrays.outcomes)),
            ),
        },
        coords={"given": list(arrays.outcomes), "outcome": list(arrays.outcomes), "item": list(arrays.ids)},
    )
    constant = xr.Dataset(
        {
            "log_lik": (("item", "outcome"), arrays.log_lik.reshape(arrays.n_items, len(arrays.outcomes))),
            "reliability": ("item", arrays.reliability),
            "weight": ("item", arrays.weight),
            "kind_index": ("item", arrays.kind_index),
        },
        coords={"item": list(arrays.ids), "outcome": list(arrays.outcomes)},
    )
    with warnings.catch_warnings():  # the `mixture` group is non-standard on purpose
        warnings.simplefilter("ignore", UserWarning)
        return az.InferenceData(posterior=posterior, sample_stats=sample_stats, constant_data=constant, mixture=mixture)
