"""The model tests' shared setting: baseline hazards, grid, dates, seed and sampler length, and item helpers.

The fixtures built on it (one spec, one compiled forecaster and its no-evidence fit, shared by
``tests/model`` and ``tests/analysis``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

import arviz as az
import numpy as np

from forecast.model.readings import Item

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


def mc_error(values: np.ndarray, idata: az.InferenceData) -> float:
    """Monte Carlo standard error of a mean over draws, from the draws' ESS."""
    shaped = values.reshape(idata.posterior.sizes["chain"], idata.posterior.sizes["draw"])
    return float(np.std(values) / np.sqrt(az.ess(shaped, method="mean")))
