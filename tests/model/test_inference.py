"""The sampled forecast against exact answers: closed form, quadrature, invariances, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.inference import Forecaster, SamplerSettings
from forecast.results.posterior import diagnostics, outcome_forecasts
from tests.helpers import BASE, SMALL, make_arrays, reference_likelihood, reference_probabilities

BASE_RATES = np.array(list(BASE.values()))


def sampled_means(forecaster: Forecaster, arrays, seed: int = 7) -> np.ndarray:
    forecasts = outcome_forecasts(forecaster.fit(arrays, seed))
    return np.array([forecasts[o].mean for o in arrays.outcomes])


def test_sampled_matches_closed_form_with_fixed_parameters(question):
    rng = np.random.default_rng(11)
    log_lik, r = rng.normal(0, 0.5, (25, 4)), rng.uniform(0.3, 1.0, 25)
    arrays = make_arrays(log_lik, reliability=r, kind_sd=(1e-3, 0.5))  # tau fixed at 1 (sd 0.1%)
    closed = BASE_RATES * reference_likelihood(log_lik, 1.0, r, np.ones(25)).prod(axis=0)
    sampled = sampled_means(Forecaster(question, arrays, SMALL), arrays)
    np.testing.assert_allclose(sampled, closed / closed.sum(), atol=0.01)


@pytest.mark.parametrize("case", ["mixed", "strong_one_way", "split_two_ways"])
def test_sampled_matches_quadrature_with_uncertain_exponent(forecaster, case):
    rng = np.random.default_rng(12)
    if case == "mixed":
        log_lik, r = rng.normal(0, 0.5, (40, 4)), rng.uniform(0.3, 1.0, 40)
    elif case == "strong_one_way":
        log_lik, r = np.tile([0.0, 0.4, 0.0, -0.2], (1000, 1)), np.full(1000, 0.8)
    else:
        log_lik = np.vstack([np.tile([0.5, 0, 0, 0], (500, 1)), np.tile([0, 0, 0, 0.5], (500, 1))])
        r = np.full(1000, 0.7)
    arrays = make_arrays(log_lik, reliability=r)
    np.testing.assert_allclose(sampled_means(forecaster, arrays), reference_probabilities(arrays, 0.5), atol=0.01)


def test_strong_evidence_converges_with_default_settings(question):
    arrays = make_arrays(np.tile([0.0, 0.4, 0.0, -0.2], (1000, 1)), reliability=0.8)
    idata = Forecaster(question, arrays, SamplerSettings()).fit(arrays, 3)
    assert list(idata.posterior["given"].values) == ["ceasefire"]  # the others are below 1e-9
    checks = diagnostics(idata)
    assert checks.rhat_max <= 1.01
    assert checks.divergences == 0


def test_no_evidence_gives_base_rates(forecaster):
    np.testing.assert_allclose(sampled_means(forecaster, make_arrays(np.zeros((0, 4)))), BASE_RATES, atol=0.015)


def test_equal_likelihood_item_changes_nothing(forecaster):
    log_lik = np.random.default_rng(13).normal(0, 0.5, (8, 4))
    flat = np.vstack([log_lik, np.full((1, 4), 1.3)])
    # exact to 1e-9 in test_marginal; here float rounding in the table perturbs the NUTS path
    np.testing.assert_allclose(
        sampled_means(forecaster, make_arrays(flat)), sampled_means(forecaster, make_arrays(log_lik)), atol=0.01
    )


def test_cluster_of_five_moves_like_one_and_reliability_scales(forecaster):
    item = [0.9, 0.3, 0.0, -0.6]
    one = sampled_means(forecaster, make_arrays(np.array([item]), reliability=0.9))
    five = sampled_means(forecaster, make_arrays(np.tile(item, (5, 1)), reliability=0.9, weight=0.2))
    weak = sampled_means(forecaster, make_arrays(np.array([item]), reliability=0.3))
    np.testing.assert_allclose(five, one, atol=0.01)
    assert one[0] - BASE_RATES[0] > weak[0] - BASE_RATES[0] + 0.02 > 0.02


def test_same_seed_same_numbers_other_seed_other_draws(forecaster):
    arrays = make_arrays(np.random.default_rng(14).normal(0, 0.5, (20, 4)))
    first, again, other = (forecaster.fit(arrays, s).posterior["forecast"].values for s in (5, 5, 6))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_interval_contains_mean_and_is_ordered(forecaster):
    arrays = make_arrays(np.random.default_rng(15).normal(0, 0.5, (20, 4)))
    for value in outcome_forecasts(forecaster.fit(arrays, 1)).values():
        assert 0 <= value.low <= value.mean <= value.high <= 1
