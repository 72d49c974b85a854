"""Signposts: one more event by reweighting equals a refit with that event; the pathway and its bound."""

from __future__ import annotations

from dataclasses import replace

import arviz as az
import pytest

from forecast.analysis.signposts import Hypothesis, combined, hypothetical_readings, one_more, pathway
from forecast.model.fit import Forecaster
from forecast.model.readings import Readings
from forecast.model.spec import Spec
from forecast.states import STATES
from tests.fitted import AS_OF, DRAWS, HORIZON, SEED, TUNE, make_item, weeks_before

TALKS = Hypothesis("talks_held", "diplomacy", 1.5, 0.6, 0.85)  # moderate: PSIS holds (k <= 0.7)
GAINS = Hypothesis("battlefield_gain", "military_momentum", 2.0, 0.5, 0.9)


@pytest.fixture(scope="module")
def forecaster(spec: Spec) -> Forecaster:
    """Diplomacy strongly linked to the exits from war, so one more round of talks moves the forecast
    by more than the Monte Carlo error of two fits (the comparison below can fail)."""
    mean = spec.beta_mean.copy()
    for label in ("war->deal", "war->ceasefire"):
        mean[spec.transition_labels.index(label), spec.driver_ids.index("diplomacy")] = 1.5
    return Forecaster(replace(spec, beta_mean=mean), draws=2 * DRAWS, tune=TUNE)  # strong links: noisier means


@pytest.fixture(scope="module")
def evidence(forecaster: Forecaster) -> Readings:
    return forecaster.readings([make_item("talks", weeks_before(AS_OF, 3), signal=1.0)], AS_OF)


@pytest.fixture(scope="module")
def fit(forecaster: Forecaster, evidence: Readings) -> az.InferenceData:
    return forecaster.fit(evidence, seed=SEED)


def test_one_more_event_equals_a_fit_with_that_event(
    forecaster: Forecaster, fit: az.InferenceData, evidence: Readings
) -> None:
    per_draw = forecaster.forecast_curves(fit, AS_OF, HORIZON).horizon_draws()
    (single,) = one_more(forecaster, fit, evidence, [TALKS], per_draw, AS_OF, HORIZON, "war", STATES, SEED)
    with_event = combined(evidence, hypothetical_readings([TALKS], forecaster.spec, AS_OF))
    refit = forecaster.forecast_curves(forecaster.fit(with_event, seed=SEED + 3), AS_OF, HORIZON).horizon()
    assert single.method == "reweighted"
    assert single.change["war"] < -0.02  # talks lower continued war: the comparison is not trivial
    for state in STATES:
        assert abs(single.outcomes[state] - refit[state]) < 0.02  # two fits differ by ~0.01 at these links


def test_pathway_bound_and_state_changes(forecaster: Forecaster, fit: az.InferenceData, evidence: Readings) -> None:
    per_draw = forecaster.forecast_curves(fit, AS_OF, HORIZON).horizon_draws()
    singles = one_more(forecaster, fit, evidence, [TALKS, GAINS], per_draw, AS_OF, HORIZON, "war", STATES, SEED)
    path = pathway(forecaster, fit, evidence, singles, per_draw, AS_OF, HORIZON, "war", STATES)
    war = float(per_draw.mean(axis=0)[STATES.index("war")])
    assert path.target == "war" and path.direction == "below"
    assert not path.crosses  # half a year at these hazards cannot end most wars
    assert path.bound is not None and path.bound < war  # holding diplomacy high lowers war
    assert path.bound_levels["diplomacy"] == 1.5  # held at the talks' reading
    assert path.states["ceasefire"] < 0.5  # starting from a ceasefire, war on the horizon needs its collapse
