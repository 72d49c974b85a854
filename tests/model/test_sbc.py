"""Simulation-based calibration (Talts et al. 2018) of the model and sampler together.

Data are simulated from the model's own generative story: templates t = 0..3 each point at one
outcome (log-likelihood 0.5 there, 0 elsewhere); given z and tau a report shows template t with
probability (r * lambda'_tz(tau) + 1 - r) / 4, which sums to one over t for every z and tau, so
the model's relative likelihood is the true likelihood. If inference is right, the rank of the
true parameter among posterior draws is uniform.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.model.inference import Forecaster, SamplerSettings
from tests.helpers import BASE, make_arrays, make_question

N_SIMS = 120
N_RANK_DRAWS = 99
ITEMS = 30
RELIABILITY = 0.8
SD = 0.5
TEMPLATES = 0.5 * np.eye(4)


def simulate(rng: np.random.Generator, strength: float):
    p = rng.dirichlet(strength * np.array(list(BASE.values())))
    z = rng.choice(4, p=p)
    tau = np.exp(rng.normal(0, SD))
    tempered = np.exp(tau * TEMPLATES)
    tempered /= tempered.mean(axis=1, keepdims=True)
    show = (RELIABILITY * tempered[:, z] + 1 - RELIABILITY) / 4
    templates = rng.choice(4, size=ITEMS, p=show / show.sum())
    return p, tau, make_arrays(TEMPLATES[templates], reliability=RELIABILITY, kind_sd=(SD, SD))


def joint_draws(idata, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unweighted draws of (tau of kind 0, p_war) from the weighted mixture over conditions."""
    weight = idata.mixture["weight"].sel(given=idata.posterior["given"]).values
    tau = idata.posterior["tau"].isel(kind=0).stack(s=("chain", "draw")).transpose("given", "s").values
    p_war = idata.posterior["p"].sel(outcome="war").stack(s=("chain", "draw")).transpose("given", "s").values
    given = rng.choice(len(weight), size=n, p=weight / weight.sum())
    index = rng.integers(0, tau.shape[1], size=n)
    return tau[given, index], p_war[given, index]


@pytest.mark.slow
def test_ranks_of_true_parameters_are_uniform():
    strength = 10.0
    question = make_question(strength=strength)
    rng = np.random.default_rng(2018)
    _, _, template = simulate(rng, strength)
    forecaster = Forecaster(question, template, SamplerSettings(draws=300, tune=300, chains=2))
    ranks = {"tau": [], "p_war": []}
    for sim in range(N_SIMS):
        p, tau, arrays = simulate(rng, strength)
        idata = forecaster.fit(arrays, seed=sim)
        tau_draws, p_draws = joint_draws(idata, rng, N_RANK_DRAWS)
        ranks["tau"].append(int((tau_draws < tau).sum()))
        ranks["p_war"].append(int((p_draws < p[3]).sum()))
    for name, values in ranks.items():
        counts = np.bincount(np.array(values) // 10, minlength=10)
        assert stats.chisquare(counts).pvalue > 0.001, (name, counts)
