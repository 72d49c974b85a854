"""Shared fixtures (plain helpers: tests/helpers.py; the model tests' setting: tests/fitted.py)."""

from __future__ import annotations

import logging

import arviz as az
import pytest

from forecast.model.fit import Forecaster
from forecast.model.readings import empty_readings
from forecast.model.spec import Spec, default_spec
from tests.fitted import AS_OF, DRAWS, END, H0, HORIZON, SEED, START, TUNE


@pytest.fixture(scope="session", autouse=True)
def quiet_pymc() -> None:
    """PyMC's per-run INFO lines drown pytest's output; warnings still show."""
    for name in ("pymc", "pymc.sampling.mcmc", "pymc.stats.convergence", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def spec() -> Spec:
    return default_spec(START, END, H0)


@pytest.fixture(scope="session")
def forecaster(spec: Spec) -> Forecaster:
    return Forecaster(spec, capacity=512, draws=DRAWS, tune=TUNE)


@pytest.fixture(scope="session")
def prior_fit(forecaster: Forecaster) -> az.InferenceData:
    return forecaster.fit(empty_readings(), seed=SEED)


@pytest.fixture(scope="session")
def prior_war(forecaster: Forecaster, prior_fit: az.InferenceData) -> float:
    """P(war on the horizon) with no evidence, from war at AS_OF."""
    return forecaster.forecast_curves(prior_fit, AS_OF, HORIZON).horizon()["war"]
