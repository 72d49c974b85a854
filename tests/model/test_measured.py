"""Measured kinds in the model: presence fades by the half-life, the hazard moves by the measured ratio."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from forecast.analysis import signposts
from forecast.analysis.signposts import Hypothesis, one_more, pathway
from forecast.model.attribution import attribution
from forecast.model.fit import Draws, Forecaster, hazards_at, state_draws
from forecast.model.measured import MeasuredEffects, MeasuredItem, decay, presence
from forecast.model.readings import empty_readings
from forecast.model.spec import Spec, default_spec
from forecast.states import STATES, TRANSITION_LABELS
from tests.fitted import AS_OF, END, H0, HORIZON, SEED, START

CEASEFIRE = "ceasefire_declared[scope=general, side=bilateral]"
MEDIATION = "mediation"
HALF_LIFE = 8.0
LOG_HR = 1.0


def effects() -> MeasuredEffects:
    cells = (CEASEFIRE, MEDIATION)
    mean, sd = np.zeros((len(TRANSITION_LABELS), 2)), np.zeros((len(TRANSITION_LABELS), 2))
    cf = TRANSITION_LABELS.index("war->ceasefire")
    frozen = TRANSITION_LABELS.index("war->frozen")
    mean[cf, 0], sd[cf, 0] = LOG_HR, 0.1
    mean[frozen, 0], sd[frozen, 0] = -0.5, 0.1
    mean[cf, 1], sd[cf, 1] = 0.3, 0.1
    return MeasuredEffects(cells, TRANSITION_LABELS, mean, sd, HALF_LIFE, {CEASEFIRE: 40, MEDIATION: 90})


def item(ident: str, day: date, cell: str = CEASEFIRE, reliability: float = 1.0, cluster: str | None = None):
    return MeasuredItem(ident, day, day, cell, reliability, cluster)


def test_decay_starts_at_the_event_week_and_halves_per_half_life() -> None:
    start = date(2025, 1, 6)
    values = decay(start, 30, start + timedelta(weeks=4, days=2), HALF_LIFE)
    assert values[:4].tolist() == [0.0] * 4
    assert values[4] == 1.0  # the event's own week
    assert values[5] == pytest.approx(0.5 ** ((7 - 2) / 7 / HALF_LIFE))
    assert values[4 + 8] == pytest.approx(0.5 ** ((8 * 7 - 2) / 7 / HALF_LIFE))


def test_an_event_before_the_grid_has_faded_by_its_real_age() -> None:
    start = date(2025, 1, 6)
    values = decay(start, 3, start - timedelta(weeks=16), HALF_LIFE)
    assert values[0] == pytest.approx(0.25)


def test_events_of_one_cell_do_not_stack_and_reports_corroborate() -> None:
    e = effects()
    day = date(2025, 6, 2)
    two = presence([item("a", day), item("b", day)], e, START, 80, AS_OF).total(80, 2)
    one = presence([item("a", day)], e, START, 80, AS_OF).total(80, 2)
    np.testing.assert_allclose(two, one)
    cluster = presence(
        [item("a", day, reliability=0.5, cluster="c"), item("b", day, reliability=0.5, cluster="c")],
        e,
        START,
        80,
        AS_OF,
    )
    assert len(cluster) == 1
    assert cluster.total(80, 2).max() == pytest.approx(0.75)


def test_an_item_reported_after_the_as_of_date_is_not_present() -> None:
    late = MeasuredItem("late", AS_OF - timedelta(days=3), AS_OF + timedelta(days=1), CEASEFIRE, 1.0)
    assert len(presence([late], effects(), START, 80, AS_OF)) == 0


@pytest.fixture(scope="module")
def measured_spec() -> Spec:
    return default_spec(START, END, H0, measured=effects())


@pytest.fixture(scope="module")
def measured_forecaster(measured_spec: Spec) -> Forecaster:
    return Forecaster(measured_spec, capacity=64, draws=300, tune=300)


def test_a_ceasefire_declared_moves_the_hazard_by_its_ratio_and_fades(measured_forecaster: Forecaster) -> None:
    spec = measured_forecaster.spec
    day = AS_OF - timedelta(weeks=1)
    evidence = measured_forecaster.readings([], AS_OF, [item("cf", day)])
    idata = measured_forecaster.fit(evidence, seed=SEED)
    draws = Draws.of(idata)
    assert draws.gamma is not None
    week = spec.week_of(day)
    weeks = np.array([week, week + int(HALF_LIFE)])
    with_event = hazards_at(draws, weeks)
    without = hazards_at(replace(draws, presence=np.zeros_like(draws.presence)), weeks)
    cf, deal = TRANSITION_LABELS.index("war->ceasefire"), TRANSITION_LABELS.index("war->deal")
    log_ratio = np.log(with_event / without)
    # per draw the log ratio is gamma at the event's week, gamma / 2 one half-life later
    np.testing.assert_allclose(log_ratio[:, 0, cf], draws.gamma[:, cf, 0])  # full presence in the event's week
    np.testing.assert_allclose(log_ratio[:, 1, cf], 0.5 * draws.gamma[:, cf, 0])
    assert np.median(np.exp(log_ratio[:, 0, cf])) == pytest.approx(np.exp(LOG_HR), rel=0.05)
    np.testing.assert_allclose(log_ratio[:, :, deal], 0.0, atol=1e-12)  # not measured: no effect


def test_measured_event_attribution_is_exact(measured_forecaster: Forecaster) -> None:
    evidence = measured_forecaster.readings([], AS_OF, [item("cf", AS_OF - timedelta(weeks=2))])
    idata = measured_forecaster.fit(evidence, seed=SEED)
    spec = measured_forecaster.spec
    impacts = attribution(idata, spec, evidence, AS_OF, HORIZON)
    full = measured_forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon()
    moved = replace(Draws.of(idata), presence=np.zeros((spec.weeks, 2)))
    without = state_draws(moved, spec, AS_OF, HORIZON)[1][:, -1, :].mean(axis=0)
    assert impacts["cf"].pareto_k == 0.0
    assert impacts["cf"].impact["ceasefire"] == pytest.approx(full["ceasefire"] - without[1], abs=1e-12)
    assert impacts["cf"].impact["ceasefire"] > 0.005
    assert impacts["cf"].impact["frozen"] < 0


def test_what_to_watch_adds_a_measured_cell_once_and_exactly(measured_forecaster: Forecaster) -> None:
    spec = measured_forecaster.spec
    evidence = measured_forecaster.readings([], AS_OF)
    idata = measured_forecaster.fit(evidence, seed=SEED)
    per_draw = measured_forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon_draws()
    hypotheses = [Hypothesis(cell, "", 0.0, 0.0, 1.0, cell=cell) for cell in spec.measured.cells]
    singles = one_more(measured_forecaster, idata, evidence, hypotheses, per_draw, AS_OF, HORIZON, "war", STATES, SEED)
    ceasefire = next(m for m in singles if m.hypothesis.cell == CEASEFIRE)
    assert ceasefire.method == "exact" and ceasefire.change["ceasefire"] > 0.005
    path = pathway(measured_forecaster, idata, evidence, singles, per_draw, AS_OF, HORIZON, "war", STATES)
    assert len(path.events) == len(set(path.events))  # a second recent truce adds nothing: never chosen twice


def test_without_measured_events_the_measured_model_forecasts_as_the_driver_model(
    measured_forecaster: Forecaster,
) -> None:
    idata = measured_forecaster.fit(empty_readings(), seed=SEED)
    draws = Draws.of(idata)
    assert draws.presence is not None and not draws.presence.any()


def test_what_to_watch_computes_each_presence_once(
    measured_forecaster: Forecaster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pathway's rounds ask again for presence tables already answered (a reading tried beside the
    cells chosen so far, a cell's second event); each costs a matrix exponential per draw, so it is memoised."""
    spec = measured_forecaster.spec
    evidence = measured_forecaster.readings([], AS_OF)
    idata = measured_forecaster.fit(evidence, seed=SEED)
    per_draw = measured_forecaster.forecast_curves(idata, AS_OF, HORIZON).horizon_draws()
    cells = [Hypothesis(cell, "", 0.0, 0.0, 1.0, cell=cell) for cell in spec.measured.cells]
    talks = Hypothesis("talks_held", spec.driver_ids[0], 1.5, 0.6, 0.85)
    hypotheses = [talks, *cells]
    singles = one_more(measured_forecaster, idata, evidence, hypotheses, per_draw, AS_OF, HORIZON, "war", STATES, SEED)
    asked: list[tuple[object, ...]] = []

    def spy(draws: Draws, *args: object, **kwargs: object) -> tuple[list[date], np.ndarray]:
        assert draws.presence is not None  # the same paths, presence and starting state: the same answer
        asked.append((draws.x.tobytes(), draws.presence.tobytes(), args[1:], tuple(kwargs.items())))
        return state_draws(draws, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(signposts, "state_draws", spy)
    pathway(measured_forecaster, idata, evidence, singles, per_draw, AS_OF, HORIZON, "war", STATES)
    assert asked and len(asked) == len(set(asked))
