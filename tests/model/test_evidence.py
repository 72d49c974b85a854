"""How evidence moves the forecast: saturation, decay, clusters, null streams, attribution."""

from __future__ import annotations

from datetime import timedelta

import arviz as az
import numpy as np
import pytest

from forecast.model.attribution import attribute, attribution
from forecast.model.fit import Forecaster
from forecast.model.readings import Readings
from tests.fitted import AS_OF, HORIZON, SEED, make_item, weeks_before
from tests.model.test_forecast import reference_horizon


def war_on_horizon(forecaster: Forecaster, items: list, seed: int = SEED) -> float:
    idata = forecaster.fit(forecaster.readings(items, AS_OF), seed=seed)
    return forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon()["war"]


def test_many_readings_saturate_at_the_pinned_level(forecaster: Forecaster) -> None:
    """1000 readings move no more than 0.03 beyond 50, and never below the pinned-level forecast."""
    day = AS_OF - timedelta(days=1)  # in the as-of week
    stream = [make_item(f"r{k}", day, signal=1.5, sd=0.5, reliability=0.8) for k in range(1000)]
    fifty, thousand = war_on_horizon(forecaster, stream[:50]), war_on_horizon(forecaster, stream)
    assert abs(thousand - fifty) <= 0.03
    pinned = reference_horizon(forecaster.spec, 10000, seed=3, pinned=(0, 1.5))[:, 0]
    assert thousand >= pinned.mean() - 4 * pinned.std() / np.sqrt(len(pinned)) - 0.005


def test_an_old_event_moves_the_forecast_less_than_half_as_much_as_a_recent_one(
    forecaster: Forecaster, prior_war: float
) -> None:
    recent = war_on_horizon(forecaster, [make_item("e", weeks_before(AS_OF, 1))])
    old = war_on_horizon(forecaster, [make_item("e", weeks_before(AS_OF, 52))])
    assert prior_war - recent > 0.01  # strong positive diplomacy lowers P(war)
    assert abs(prior_war - old) < 0.5 * abs(prior_war - recent)


def test_two_reports_of_one_event_move_between_one_report_and_two_events(
    forecaster: Forecaster, prior_war: float
) -> None:
    day = weeks_before(AS_OF, 1)
    strong = make_item("a", day, signal=2.0, sd=0.5, reliability=0.5, cluster="c")
    echo = make_item("b", day, signal=2.0, sd=0.5, reliability=0.5, cluster="c")
    independent = make_item("b", day, signal=2.0, sd=0.5, reliability=0.5)
    alone = prior_war - war_on_horizon(forecaster, [strong])
    cluster = prior_war - war_on_horizon(forecaster, [strong, echo])
    two_events = prior_war - war_on_horizon(forecaster, [strong, independent])
    assert alone > 0.005
    assert cluster >= alone and cluster < two_events


def test_a_null_stream_leaves_every_outcome_where_no_evidence_puts_it(
    forecaster: Forecaster, prior_fit: az.InferenceData
) -> None:
    items = [
        make_item(f"{driver}{week}", weeks_before(AS_OF, week), driver=driver, signal=0.0, sd=0.5, reliability=0.8)
        for week in range(52)
        for driver in forecaster.spec.driver_ids
    ]
    idata = forecaster.fit(forecaster.readings(items, AS_OF), seed=SEED)
    null = forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon()
    none = forecaster.forecast_curves(prior_fit, AS_OF, HORIZON).horizon()
    for state, value in none.items():
        assert abs(null[state] - value) <= 0.03, state


@pytest.fixture(scope="module")
def two_events(forecaster: Forecaster) -> tuple[Readings, az.InferenceData]:
    items = [
        make_item("up", weeks_before(AS_OF, 1), signal=2.5),
        make_item("down", weeks_before(AS_OF, 2), driver="external_support", signal=-2.5),
    ]
    evidence = forecaster.readings(items, AS_OF)
    return evidence, forecaster.fit(evidence, seed=SEED)


def test_attribution_signs_agree_with_leaving_the_event_out_and_refitting(
    forecaster: Forecaster, two_events: tuple[Readings, az.InferenceData]
) -> None:
    evidence, idata = two_events
    """PSIS alone (no refit fallback) gets the signs of both events right."""
    evidence, idata = two_events
    impacts = attribution(idata, forecaster.spec, evidence, AS_OF, HORIZON)
    full = forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon()["war"]
    for event, sign in (("up", -1), ("down", 1)):
        refit = forecaster.fit(evidence.without(event), seed=SEED)
        left_out = full - forecaster.forecast_curves(refit, AS_OF, HORIZON).horizon()["war"]
        assert np.sign(impacts[event].impact["war"]) == np.sign(left_out) == sign, event
        assert not np.isnan(impacts[event].pareto_k)  # inf when the weights tie at the mixture's plateau


def test_attribution_refits_events_whose_pareto_k_is_too_high(
    forecaster: Forecaster, two_events: tuple[Readings, az.InferenceData]
) -> None:
    evidence, idata = two_events
    called = []

    def refit(event: str) -> az.InferenceData:
        called.append(event)
        return idata

    impacts = attribution(idata, forecaster.spec, evidence, AS_OF, HORIZON, refit=refit, k_threshold=-np.inf)
    assert sorted(called) == ["down", "up"]
    assert all(i.refitted and abs(i.impact["war"]) < 1e-12 for i in impacts.values())


def test_attribute_with_the_forecasters_refit_reports_every_event(
    forecaster: Forecaster, two_events: tuple[Readings, az.InferenceData]
) -> None:
    evidence, idata = two_events
    impacts = attribute(forecaster, idata, evidence, AS_OF, HORIZON, seed=SEED)
    assert set(impacts) == {"up", "down"}
    for impact in impacts.values():
        assert abs(sum(impact.impact.values())) < 1e-9  # chances still sum to one without the event


def test_an_event_reading_two_drivers_moves_the_forecast_through_both_and_attribution_drops_both(
    forecaster: Forecaster, prior_war: float
) -> None:
    """One cluster, one report reading diplomacy and one russia_flexibility: both readings move the forecast
    (each alone moves it less than the two), and the event's attribution is the event left out whole."""
    day = weeks_before(AS_OF, 1)
    talks = make_item("talks", day, signal=2.5, reliability=0.9, cluster="c")
    moscow = make_item("moscow", day, driver="russia_flexibility", signal=2.5, reliability=0.9, cluster="c")
    evidence = forecaster.readings([talks, moscow], AS_OF)
    assert evidence.events == ("c",) and len(evidence) == 2
    idata = forecaster.fit(evidence, seed=SEED)
    both = forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon()["war"]
    only_talks, only_moscow = war_on_horizon(forecaster, [talks]), war_on_horizon(forecaster, [moscow])
    assert prior_war - only_talks > 0.005 and prior_war - only_moscow > 0.005
    assert both < only_talks - 0.003 and both < only_moscow - 0.003
    impacts = attribution(idata, forecaster.spec, evidence, AS_OF, HORIZON)
    assert set(impacts) == {"c"}
    assert impacts["c"].impact["war"] == pytest.approx(both - prior_war, abs=0.01)
