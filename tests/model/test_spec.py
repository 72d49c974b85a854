"""The spec's mean multiplier: memoised on its inputs' values, never on their identity."""

from __future__ import annotations

import numpy as np

from forecast.model.drivers import load_drivers, load_links
from forecast.model.spec import _sampled_multiplier, mean_multiplier


def test_memoised_multiplier_equals_the_monte_carlo_and_follows_the_priors() -> None:
    drivers = tuple(load_drivers())
    links = load_links(drivers=tuple(d.id for d in drivers))
    expected = _sampled_multiplier(drivers, links.mean, links.sd)
    first = mean_multiplier(drivers, links.mean, links.sd)
    np.testing.assert_array_equal(first, expected)
    first[:] = 0.0  # a caller editing its copy must not edit the memo
    np.testing.assert_array_equal(mean_multiplier(drivers, links.mean, links.sd), expected)
    wider = mean_multiplier(drivers, links.mean, links.sd * 2.0)
    np.testing.assert_array_equal(wider, _sampled_multiplier(drivers, links.mean, links.sd * 2.0))
    assert np.all(wider > mean_multiplier(drivers, links.mean, links.sd))  # wider priors, larger Jensen factor
