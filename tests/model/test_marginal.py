"""Exact outcome weights against closed forms and independent scipy quadrature."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.marginal import outcome_weights, tabulate
from tests.helpers import BASE_RATES, make_arrays, reference_likelihood, reference_probabilities


def exact(arrays) -> np.ndarray:
    return outcome_weights(arrays, tabulate(arrays), BASE_RATES).probability


def test_fixed_diagnosticity_and_reliability_match_closed_form():
    rng = np.random.default_rng(1)
    log_lik = rng.normal(0, 0.6, (30, 4))
    r = rng.uniform(0.2, 1.0, 30)
    arrays = make_arrays(log_lik, reliability=r, kind_sd=(1e-4, 0.5))
    closed = BASE_RATES * reference_likelihood(log_lik, 1.0, r, np.ones(30)).prod(axis=0)
    np.testing.assert_allclose(exact(arrays), closed / closed.sum(), rtol=1e-6)


@pytest.mark.parametrize(
    "case",
    ["mixed", "strong_one_way", "split_two_ways"],
)
def test_one_uncertain_exponent_matches_quadrature(case):
    rng = np.random.default_rng(2)
    if case == "mixed":
        log_lik, r = rng.normal(0, 0.5, (40, 4)), rng.uniform(0.3, 1.0, 40)
    elif case == "strong_one_way":  # 1,000 items all pointing at ceasefire
        log_lik, r = np.tile([0.0, 0.4, 0.0, -0.2], (1000, 1)), np.full(1000, 0.8)
    else:  # 1,000 items split evenly between deal and war
        log_lik = np.vstack([np.tile([0.5, 0, 0, 0], (500, 1)), np.tile([0, 0, 0, 0.5], (500, 1))])
        r = np.full(1000, 0.7)
    arrays = make_arrays(log_lik, reliability=r, kind_sd=(0.5, 0.5))
    np.testing.assert_allclose(exact(arrays), reference_probabilities(arrays, 0.5), atol=1e-5)


def test_strong_evidence_is_decisive_and_split_evidence_is_even():
    strong = exact(make_arrays(np.tile([0.0, 0.4, 0.0, -0.2], (1000, 1)), reliability=0.8))
    assert strong[1] > 0.999
    split = exact(
        make_arrays(np.vstack([np.tile([0.5, 0, 0, 0], (500, 1)), np.tile([0, 0, 0, 0.5], (500, 1))]), reliability=0.7)
    )
    # equal evidence: the split follows the base rates of deal (0.1) and war (0.4) alone
    assert split[0] + split[3] > 0.999
    np.testing.assert_allclose(split[3] / split[0], 4.0, rtol=1e-6)


def test_no_evidence_gives_base_rates():
    np.testing.assert_allclose(exact(make_arrays(np.zeros((0, 4)))), BASE_RATES, rtol=1e-12)


def test_equal_likelihoods_change_nothing():
    rng = np.random.default_rng(3)
    log_lik = rng.normal(0, 0.5, (10, 4))
    with_flat = np.vstack([log_lik, np.full((3, 4), 0.7)])
    np.testing.assert_allclose(exact(make_arrays(with_flat)), exact(make_arrays(log_lik)), rtol=1e-9)


def test_five_reports_in_one_cluster_count_once():
    one = make_arrays(np.array([[0.6, 0.2, 0.0, -0.4]]), reliability=0.8)
    five = make_arrays(np.tile([0.6, 0.2, 0.0, -0.4], (5, 1)), reliability=0.8, weight=0.2)
    independent = make_arrays(np.tile([0.6, 0.2, 0.0, -0.4], (5, 1)), reliability=0.8)
    np.testing.assert_allclose(exact(five), exact(one), rtol=1e-9)
    assert exact(independent)[0] > exact(one)[0] + 0.05


def test_lower_reliability_moves_less():
    item = np.array([[0.8, 0.0, 0.0, -0.8]])
    moves = [exact(make_arrays(item, reliability=r))[0] - BASE_RATES[0] for r in (1.0, 0.6, 0.2)]
    assert moves[0] > moves[1] > moves[2] > 0


def test_leave_one_out_matches_refitting_without_the_item():
    rng = np.random.default_rng(4)
    arrays = make_arrays(
        rng.normal(0, 0.5, (12, 4)), reliability=rng.uniform(0.3, 1, 12), kind_index=rng.integers(0, 2, 12)
    )
    loo = outcome_weights(arrays, tabulate(arrays), BASE_RATES).loo_probability
    for j in (0, 5, 11):
        np.testing.assert_allclose(loo[j], exact(arrays.without(j)), atol=1e-5)
