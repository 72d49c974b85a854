"""Sensitivity: prior-only changes are exact re-transforms, reweighted changes agree with refits."""

from __future__ import annotations

from dataclasses import replace

import arviz as az
import numpy as np
import pytest

from forecast.analysis.sensitivity import DataChange, PriorChange, Refits, data_cases, prior_cases
from forecast.model.fit import Forecaster
from forecast.model.readings import Readings
from forecast.model.spec import Spec
from forecast.states import STATES
from tests.fitted import AS_OF, HORIZON, SEED, make_item, weeks_before

TOLERANCE = 0.02


@pytest.fixture(scope="module")
def evidence(forecaster: Forecaster) -> Readings:
    items = [
        make_item("talks", weeks_before(AS_OF, 1), signal=2.5),
        make_item("gains", weeks_before(AS_OF, 2), driver="military_momentum", signal=-2.0),
    ]
    return forecaster.readings(items, AS_OF)


@pytest.fixture(scope="module")
def fit(forecaster: Forecaster, evidence: Readings) -> az.InferenceData:
    return forecaster.fit(evidence, seed=SEED)


def horizon(forecaster: Forecaster, idata: az.InferenceData) -> np.ndarray:
    return forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon_draws()


def shifted(spec: Spec, row: int, col: int, by: float) -> Spec:
    mean = spec.beta_mean.copy()
    mean[row, col] += by
    return replace(spec, beta_mean=mean)


def test_a_link_shifted_by_zero_changes_nothing(forecaster: Forecaster, fit: az.InferenceData) -> None:
    spec = forecaster.spec
    base = horizon(forecaster, fit).mean(axis=0)
    deal = spec.transition_labels.index("war->deal")
    cases = prior_cases(
        fit,
        spec,
        [
            PriorChange("link", "same", "+0", shifted(spec, deal, 0, 0.0)),
            PriorChange("link", "up", "+1", shifted(spec, deal, 0, 1.0)),
        ],
        base,
        AS_OF,
        HORIZON,
        "war",
        STATES,
    )
    assert max(abs(v) for v in cases[0].change.values()) < 1e-12
    assert cases[1].change["deal"] > 0.01  # a real shift does move it (diplomacy is high)


def test_exact_prior_change_agrees_with_a_refit_under_that_prior(
    forecaster: Forecaster, fit: az.InferenceData, evidence: Readings
) -> None:
    spec = forecaster.spec
    alternative = shifted(spec, spec.transition_labels.index("war->deal"), 0, 1.0)
    base = horizon(forecaster, fit).mean(axis=0)
    (case,) = prior_cases(
        fit, spec, [PriorChange("link", "up", "+1", alternative)], base, AS_OF, HORIZON, "war", STATES
    )
    other = Forecaster(alternative, capacity=forecaster.capacity, draws=forecaster.draws, tune=forecaster.tune)
    refit = horizon(other, other.fit(evidence, seed=SEED + 1)).mean(axis=0)
    assert case.method == "exact"
    assert abs(case.outcomes["deal"] - refit[STATES.index("deal")]) < TOLERANCE
    assert abs(case.outcomes["war"] - refit[STATES.index("war")]) < TOLERANCE


def test_reweighted_drop_agrees_with_a_refit(forecaster: Forecaster) -> None:
    # a moderate reading (a pinned one, like the module's +2.5 at sd 0.3, moves the posterior too far for
    # importance weights: Pareto k ~1.9, refitted, as it should be)
    items = [
        make_item("talks", weeks_before(AS_OF, 1), signal=2.0, sd=0.8, reliability=0.6),
        make_item("gains", weeks_before(AS_OF, 2), driver="military_momentum", signal=-2.0),
    ]
    evidence = forecaster.readings(items, AS_OF)
    fit = forecaster.fit(evidence, seed=SEED)
    per_draw = horizon(forecaster, fit)
    without = evidence.without("talks")
    refits = Refits(forecaster, evidence, AS_OF, HORIZON, "war", SEED)
    (case,) = data_cases(
        fit, forecaster.spec, evidence, [DataChange("source", "talks", "dropped", without)], per_draw, STATES, refits
    )
    refit = horizon(forecaster, forecaster.fit(without, seed=SEED + 2)).mean(axis=0)
    assert case.method == "reweighted" and case.pareto_k is not None and case.pareto_k <= 0.7
    assert abs(case.change["war"]) > 0.005  # the event matters, so agreement is not trivial
    assert abs(case.outcomes["war"] - refit[STATES.index("war")]) < TOLERANCE


def test_unchanged_readings_are_an_exact_zero_not_a_refit(
    forecaster: Forecaster, fit: az.InferenceData, evidence: Readings
) -> None:
    per_draw = horizon(forecaster, fit)
    refits = Refits(forecaster, evidence, AS_OF, HORIZON, "war", SEED)
    (case,) = data_cases(
        fit, forecaster.spec, evidence, [DataChange("source", "none", "x", evidence)], per_draw, STATES, refits
    )
    assert case.method == "reweighted" and refits.count == 0
    assert max(abs(v) for v in case.change.values()) == 0.0
