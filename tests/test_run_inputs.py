"""The shipped measured weights in the question's model: the no-event baseline, one measured event's
effect and its fading, and the bound on judgement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from forecast.inputs.schema import MAX_ABS_SIGNAL
from forecast.model.fit import Draws, Forecaster, hazards_at
from forecast.model.measured import MeasuredItem, cell_key
from forecast.model.readings import Item
from forecast.reference.fit import fit_reference
from forecast.run_inputs import RunConfig, load_inputs
from forecast.states import TRANSITION_LABELS
from tests.helpers import REPO

AS_OF = date(2025, 11, 26)
SEED = 11
WAR_EXITS = ("war->ceasefire", "war->deal", "war->frozen")


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(RunConfig(as_of=AS_OF, priors=REPO / "priors" / "ukraine_2026.yaml", evidence=REPO / "evidence"))


@pytest.fixture(scope="module")
def forecaster(inputs) -> Forecaster:
    return Forecaster(inputs.spec(), capacity=64, draws=300, tune=300, chains=2)


def test_the_baseline_is_the_class_rate_over_the_measured_event_multiplier(inputs) -> None:
    question = inputs.question
    raw = fit_reference(question.reference, AS_OF, REPO / "priors" / "reference")
    multiplier = inputs.weights.baseline_multiplier[question.reference.class_]
    for transition in WAR_EXITS:
        assert multiplier[transition] != pytest.approx(1.0, abs=0.05)  # the re-basing is not a no-op
        assert inputs.hazards.row(transition).mean == pytest.approx(raw.row(transition).mean / multiplier[transition])
    assert inputs.hazards.row("ceasefire->war").mean == raw.row("ceasefire->war").mean  # not measured


def test_one_ceasefire_declared_moves_the_hazard_by_its_measured_ratio_and_fades(inputs, forecaster) -> None:
    spec = forecaster.spec
    cell = cell_key("ceasefire_declared", {"side": "bilateral", "scope": "general"})
    day = spec.start + timedelta(weeks=spec.week_of(AS_OF))  # a week start: whole weeks of fading
    item = MeasuredItem("cf", day, day, cell, 1.0)
    draws = Draws.of(forecaster.fit(forecaster.readings([], AS_OF, [item]), seed=SEED))
    assert draws.presence is not None and draws.gamma is not None
    half_life = int(round(inputs.weights.half_life_weeks))
    week = spec.week_of(day)
    weeks = np.array([week, week + half_life])
    log_ratio = np.log(hazards_at(draws, weeks) / hazards_at(replace(draws, presence=0 * draws.presence), weeks))
    t, c = TRANSITION_LABELS.index("war->ceasefire"), spec.measured.cells.index(cell)
    measured = next(
        r
        for r in inputs.weights.rows
        if r.kind == "ceasefire_declared"
        and r.attributes == {"side": "bilateral", "scope": "general"}
        and r.transition == "war->ceasefire"
    )
    # the model's prior mean is the measured posterior mean; its spread is widened by the mismatch
    assert spec.measured.log_mean[t, c] == pytest.approx(measured.log_mean)
    assert spec.measured.log_sd[t, c] > measured.log_sd
    mc = 4 * spec.measured.log_sd[t, c] / np.sqrt(len(log_ratio))
    assert log_ratio[:, 0, t].mean() == pytest.approx(measured.log_mean, abs=mc)
    fade = 0.5 ** (half_life / inputs.weights.half_life_weeks)
    np.testing.assert_allclose(log_ratio[:, 1, t], fade * log_ratio[:, 0, t], rtol=1e-9)


def test_a_judgement_reading_at_its_extreme_moves_a_hazard_no_more_than_the_strongest_measured_kind(
    inputs, forecaster
) -> None:
    spec = forecaster.spec
    strongest = spec.measured.strongest()
    assert strongest > 0
    week = spec.week_of(AS_OF)

    def moved(draws: Draws) -> np.ndarray:
        """Mean shift of every transition's log hazard at the as-of week by the drivers and measured events
        (log h - log h0, per draw: the baseline's own Monte Carlo noise cancels)."""
        return (np.log(hazards_at(draws, np.array([week])))[:, 0, :] - draws.log_h0).mean(axis=0)

    for driver in spec.driver_ids:
        for signal in (MAX_ABS_SIGNAL, -MAX_ABS_SIGNAL):
            extreme = Item(f"{driver}{signal:+}", AS_OF, AS_OF, driver, signal, 0.3, 1.0)
            draws = Draws.of(forecaster.fit(forecaster.readings([extreme], AS_OF), seed=SEED))
            assert np.abs(moved(draws)).max() <= strongest * 1.05, (driver, signal, moved(draws))
    # and the strongest measured event does reach that size, so the bound is not vacuous
    t, c = np.unravel_index(np.abs(spec.measured.log_mean).argmax(), spec.measured.log_mean.shape)
    item = MeasuredItem("strongest", AS_OF, AS_OF, spec.measured.cells[c], 1.0)
    draws = Draws.of(forecaster.fit(forecaster.readings([], AS_OF, [item]), seed=SEED))
    assert abs(moved(draws)[t]) == pytest.approx(strongest, rel=0.25)
