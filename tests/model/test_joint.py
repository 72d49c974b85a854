"""The joint model's density: exact rows vs per-cell table, and a driver's posterior against quadrature."""

from __future__ import annotations

from datetime import timedelta

import arviz as az
import numpy as np
from scipy.stats import lognorm, norm

from forecast.model.drivers import ar_matrix
from forecast.model.fit import Forecaster, stacked
from forecast.model.joint import build_model, whitening
from forecast.model.readings import Item, empty_readings, readings
from forecast.model.spec import Spec
from tests.fitted import AS_OF, SEED, START, make_item, mc_error


def logp_and_gradient(spec: Spec, evidence, capacity: int, point: np.ndarray) -> tuple[float, np.ndarray]:
    model = build_model(spec, evidence, capacity=capacity)
    function = model.logp_dlogp_function(ravel_inputs=True)
    function.set_extra_values({})
    value, gradient = function(point)
    return float(value), gradient


def test_the_per_cell_table_reproduces_the_per_reading_density(spec: Spec) -> None:
    rng = np.random.default_rng(4)
    items = [
        Item(f"i{k}", START + timedelta(days=int(rng.integers(0, 370))), START, str(rng.choice(spec.driver_ids)),
             float(rng.normal(0, 1.5)), float(rng.uniform(0.2, 1)), float(rng.uniform(0.3, 1)))
        for k in range(300)
    ]  # fmt: skip
    evidence = readings(items, spec, AS_OF)
    size = spec.weeks * spec.n_drivers + len(spec.transitions) * (1 + spec.n_drivers) + spec.n_drivers
    point = rng.normal(size=size)
    exact, exact_gradient = logp_and_gradient(spec, evidence, 512, point)
    table, table_gradient = logp_and_gradient(spec, evidence, 64, point)
    assert abs(exact - table) < 1e-4
    np.testing.assert_allclose(table_gradient, exact_gradient, atol=1e-3)


def test_a_driver_level_posterior_matches_quadrature(forecaster: Forecaster) -> None:
    """One reading on the as-of week: p(x | y) from the fit equals the 2-D quadrature over x and the
    driver's sd (stationary prior N(0, sd^2), sd log-normal) with the mixture likelihood."""
    y, sd, r = 1.5, 0.4, 0.9
    idata = forecaster.fit(forecaster.readings([make_item("e", AS_OF, signal=y, sd=sd, reliability=r)], AS_OF), SEED)
    driver = forecaster.spec.drivers[0]
    level = stacked(idata, "x")[:, forecaster.spec.week_of(AS_OF), 0]
    x = np.linspace(-6, 6, 2001)
    s = np.linspace(0.2, 4, 800)
    prior = (norm.pdf(x[:, None], 0, s[None, :]) * lognorm.pdf(s, driver.sd_log_sd, scale=driver.sd_median)).sum(1)
    posterior = prior * (r * norm.pdf(y, x, sd) + (1 - r) * norm.pdf(y, 0, forecaster.spec.noise_sd))
    posterior /= posterior.sum()
    mean = (x * posterior).sum()
    spread = np.sqrt(((x - mean) ** 2 * posterior).sum())
    assert abs(level.mean() - mean) < 4 * mc_error(level, idata)
    assert abs(level.std() / spread - 1) < 0.08
    assert az.rhat(idata.posterior["x"]).max() < 1.02


def test_whitening_without_readings_is_the_stationary_ar_prior(spec: Spec) -> None:
    """No readings: mean 0 and map @ map.T = the AR(1) covariance, so x = sd * map @ z is the prior."""
    maps = whitening(empty_readings(), spec)
    assert np.all(maps["driver_mean"] == 0)
    for d, driver in enumerate(spec.drivers):
        lags = np.abs(np.subtract.outer(np.arange(spec.weeks), np.arange(spec.weeks)))
        np.testing.assert_allclose(maps["driver_map"][d] @ maps["driver_map"][d].T, driver.rho**lags, atol=1e-10)
        a = ar_matrix(driver.rho, spec.weeks)
        np.testing.assert_allclose(a @ a.T, driver.rho**lags, atol=1e-10)
