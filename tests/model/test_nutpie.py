"""The nutpie sampler on the same PyMC model: the same forecast within Monte Carlo error, reproducible."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from forecast.horizon import compile_forecaster, horizon_forecast
from forecast.model.settings import SamplerSettings
from forecast.results.posterior import sampler_checks
from forecast.run_inputs import load_inputs
from tests.helpers import run_config

AS_OF = date(2025, 11, 26)
SETTINGS = SamplerSettings(draws=300, tune=300, chains=2)


@pytest.fixture(scope="module")
def fits():
    config = run_config(Path("unused"), AS_OF, settings=SETTINGS)
    inputs = load_inputs(config)
    out = {}
    for sampler in ("pymc", "nutpie"):
        chosen = replace(config, settings=replace(SETTINGS, sampler=sampler))
        forecaster = compile_forecaster(inputs, chosen.settings)
        out[sampler] = (forecaster, horizon_forecast(chosen, inputs, forecaster), chosen, inputs)
    return out


def test_nutpie_gives_the_pymc_forecast_within_monte_carlo_error(fits) -> None:
    pymc, nutpie = (fits[s][1] for s in ("pymc", "nutpie"))
    for state, chance in pymc.curves.horizon().items():
        # 600 draws each: the mean of P(war) has a Monte Carlo error of about 0.002
        assert nutpie.curves.horizon()[state] == pytest.approx(chance, abs=0.01)
    _, _, divergences, _ = sampler_checks(nutpie.idata)
    assert divergences == 0
    assert nutpie.idata.posterior.sizes["draw"] == SETTINGS.draws and "warmup_posterior" not in nutpie.idata.groups()


def test_nutpie_keeps_the_measured_presence_and_reproduces_its_draws(fits) -> None:
    forecaster, first, config, inputs = fits["nutpie"]
    presence = first.evidence.presence(forecaster.spec)
    assert np.array_equal(first.idata.constant_data["measured_presence"].values, presence)
    forecaster.forget_fits()  # sample again rather than find the kept fit
    again = horizon_forecast(config, inputs, forecaster)
    assert again.idata is not first.idata
    assert np.array_equal(again.idata.posterior["x"].values, first.idata.posterior["x"].values)
