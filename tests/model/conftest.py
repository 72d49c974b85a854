"""Shared fixtures: one spec, one compiled forecaster and its no-evidence fit for the whole folder."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import arviz as az
import numpy as np
import pytest

from forecast.model.fit import Forecaster
from forecast.model.readings import Item, empty_readings
from forecast.model.spec import Spec, default_spec

H0 = {
    "war->ceasefire": 0.03,
    "war->deal": 0.02,
    "war->frozen": 0.04,
    "ceasefire->war": 0.25,
    "ceasefire->deal": 0.10,
    "frozen->war": 0.15,
    "frozen->deal": 0.05,
    "deal->war": 0.05,
}
START = date(2025, 1, 6)
END = date(2026, 7, 1)
AS_OF = date(2026, 1, 12)  # week 53 of the grid: room for an event 52 weeks old
HORIZON = date(2026, 6, 30)
SEED = 20260112
DRAWS = 600
TUNE = 600


def make_item(
    ident: str,
    day: date,
    driver: str = "diplomacy",
    signal: float = 2.5,
    sd: float = 0.3,
    reliability: float = 0.9,
    cluster: str | None = None,
    reported: date | None = None,
) -> Item:
    """An item reported on its event date unless told otherwise."""
    return Item(ident, day, reported or day, driver, signal, sd, reliability, cluster)


def weeks_before(day: date, weeks: int) -> date:
    return day - timedelta(weeks=weeks)


@pytest.fixture(scope="session", autouse=True)
def quiet_pymc() -> None:
    logging.getLogger("pymc").setLevel(logging.ERROR)


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


def mc_error(values: np.ndarray, idata: az.InferenceData) -> float:
    """Monte Carlo standard error of a mean over draws, from the draws' ESS."""
    shaped = values.reshape(idata.posterior.sizes["chain"], idata.posterior.sizes["draw"])
    return float(np.std(values) / np.sqrt(az.ess(shaped, method="mean")))
