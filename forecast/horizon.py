"""Inputs -> compiled model -> readings -> posterior -> weekly curves: the one path a run and a what-if share."""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az

from forecast.model.fit import Curves, Forecaster
from forecast.model.readings import Readings
from forecast.model.settings import SamplerSettings
from forecast.run_inputs import Inputs, RunConfig


@dataclass(frozen=True)
class HorizonForecast:
    """The readings, the posterior and the weekly curves from the current state to the horizon."""

    evidence: Readings
    idata: az.InferenceData
    curves: Curves


def horizon_forecast(config: RunConfig, inputs: Inputs, forecaster: Forecaster) -> HorizonForecast:
    """Items -> readings -> NUTS fit (the run's seed) -> curves: the one path a run and a what-if share."""
    evidence = forecaster.readings(inputs.items, config.as_of, inputs.measured)
    idata = forecaster.fit(evidence, seed=config.run_seed)
    curves = forecaster.forecast_curves(
        idata, config.as_of, inputs.question.horizon, inputs.state.state, inputs.earlier.values()
    )
    return HorizonForecast(evidence, idata, curves)


def compile_forecaster(inputs: Inputs, settings: SamplerSettings) -> Forecaster:
    """The compiled model of the question: built once, refitted for every as-of date."""
    return Forecaster(inputs.spec(), settings=settings)
