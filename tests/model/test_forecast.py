"""Forecasts against independent computations: the reference process, time passing, state, look-ahead."""

from __future__ import annotations

from datetime import date, timedelta

import arviz as az
import numpy as np
from scipy.linalg import expm

from forecast.model.fit import Forecaster, stacked
from forecast.model.readings import empty_readings
from forecast.model.spec import Spec
from tests.fitted import AS_OF, HORIZON, SEED, make_item, mc_error

WAR, CEASEFIRE, FROZEN, DEAL = range(4)
ORIGIN_TARGET = [(WAR, CEASEFIRE), (WAR, DEAL), (WAR, FROZEN), (CEASEFIRE, WAR), (CEASEFIRE, DEAL), (FROZEN, WAR),
                 (FROZEN, DEAL), (DEAL, WAR)]  # fmt: skip


def reference_horizon(spec: Spec, n: int, seed: int, pinned: tuple[int, float] | None = None) -> np.ndarray:
    """(n, 4) P(state on HORIZON) from war at AS_OF, drawing h0, beta and stationary drivers from their
    priors with numpy and building each weekly generator by hand; ``pinned = (driver, value)`` fixes that
    driver at the as-of week (its sd then weighted by the pinned value's stationary density)."""
    rng = np.random.default_rng(seed)
    n_t, n_d = spec.beta_mean.shape
    log_h0 = spec.log_h0_mu + spec.log_h0_sd * rng.standard_normal((n, n_t))
    beta = spec.beta_mean + spec.beta_sd * rng.standard_normal((n, n_t, n_d))
    sd = np.exp(
        np.log([d.sd_median for d in spec.drivers])
        + np.array([d.sd_log_sd for d in spec.drivers]) * rng.standard_normal((n, n_d))
    )
    rho = np.array([d.rho for d in spec.drivers])
    x = sd * rng.standard_normal((n, n_d))
    weights = np.ones(n)
    if pinned is not None:
        d, value = pinned
        x[:, d] = value
        weights = np.exp(-0.5 * (value / sd[:, d]) ** 2) / sd[:, d]
    p = np.zeros((n, 4))
    p[:, WAR] = 1.0
    day = AS_OF
    while day < HORIZON:
        nxt = min(day + timedelta(days=7), HORIZON)
        h = np.exp(log_h0 + np.einsum("sd,std->st", x, beta))
        q = np.zeros((n, 4, 4))
        for t, (i, j) in enumerate(ORIGIN_TARGET):
            q[:, i, j] = h[:, t]
        for i in range(4):
            q[:, i, i] = -q[:, i, :].sum(axis=1)
        p = np.einsum("si,sij->sj", p, expm(q * (nxt - day).days / 365.25))
        x = rho * x + sd * np.sqrt(1 - rho**2) * rng.standard_normal((n, n_d))
        day = nxt
    return p * (weights / weights.mean())[:, None]


def test_no_evidence_forecast_is_the_reference_class_process(
    forecaster: Forecaster, prior_fit: az.InferenceData
) -> None:
    fitted = forecaster.forecast_curves(prior_fit, AS_OF, HORIZON).horizon_draws()
    reference = reference_horizon(forecaster.spec, 20000, seed=1)
    for s in range(4):
        error = np.hypot(mc_error(fitted[:, s], prior_fit), reference[:, s].std() / np.sqrt(len(reference)))
        assert abs(fitted[:, s].mean() - reference[:, s].mean()) < 4 * error, s


def test_later_as_of_gives_lower_chance_of_any_ending(forecaster: Forecaster, prior_fit: az.InferenceData) -> None:
    early = 1 - forecaster.forecast_curves(prior_fit, AS_OF, HORIZON).horizon()["war"]
    later = 1 - forecaster.forecast_curves(prior_fit, AS_OF + timedelta(weeks=12), HORIZON).horizon()["war"]
    assert later < early - 0.01


def test_curves_start_at_the_known_state_and_bracket_their_mean(
    forecaster: Forecaster, prior_fit: az.InferenceData
) -> None:
    curves = forecaster.forecast_curves(prior_fit, AS_OF, HORIZON, state="frozen")
    np.testing.assert_allclose(curves.mean[0], [0, 0, 1, 0])
    assert curves.dates[0] == AS_OF and curves.dates[-1] == HORIZON
    assert (curves.low <= curves.mean + 1e-12).all() and (curves.mean <= curves.high + 1e-12).all()
    np.testing.assert_allclose(curves.mean.sum(axis=1), 1.0, atol=1e-9)


def test_ceasefire_survives_at_its_collapse_and_deal_hazards(
    forecaster: Forecaster, prior_fit: az.InferenceData
) -> None:
    """Without driver effects, P(ceasefire on the horizon) from ceasefire is the survival
    E[exp(-(h_cw + h_cd) T)] plus the small chance of collapsing and returning."""
    no_drivers = prior_fit.copy()
    no_drivers.posterior["beta"] = no_drivers.posterior["beta"] * 0.0
    fitted = forecaster.forecast_curves(no_drivers, AS_OF, HORIZON, state="ceasefire").horizon_draws()[:, CEASEFIRE]
    years = (HORIZON - AS_OF).days / 365.25
    labels = list(forecaster.spec.transition_labels)
    log_h0 = stacked(prior_fit, "log_h0")
    leave = np.exp(log_h0[:, labels.index("ceasefire->war")]) + np.exp(log_h0[:, labels.index("ceasefire->deal")])
    survival = np.exp(-leave * years)
    returned = fitted - survival
    assert (returned >= -1e-12).all()
    assert returned.mean() < 0.01  # back to ceasefire needs collapse then a new ceasefire (h = 0.03/yr)
    rng = np.random.default_rng(2)
    mu, sd = forecaster.spec.log_h0_mu, forecaster.spec.log_h0_sd
    i, j = labels.index("ceasefire->war"), labels.index("ceasefire->deal")
    independent = np.exp(-(np.exp(rng.normal(mu[i], sd[i], 40000)) + np.exp(rng.normal(mu[j], sd[j], 40000))) * years)
    error = np.hypot(mc_error(survival, prior_fit), independent.std() / 200)
    assert abs(survival.mean() - independent.mean()) < 4 * error


def test_an_item_reported_after_the_as_of_date_changes_nothing(forecaster: Forecaster) -> None:
    known = [make_item("a", AS_OF - timedelta(weeks=3), signal=1.0)]
    late = make_item("late", AS_OF - timedelta(weeks=1), signal=-2.5, reported=AS_OF + timedelta(days=1))
    without = forecaster.fit(forecaster.readings(known, AS_OF), seed=SEED)
    with_late = forecaster.fit(forecaster.readings([*known, late], AS_OF), seed=SEED)
    a = forecaster.forecast_curves(without, AS_OF, HORIZON).mean
    b = forecaster.forecast_curves(with_late, AS_OF, HORIZON).mean
    np.testing.assert_array_equal(a, b)


def test_driver_summary_reports_level_change_and_trend(forecaster: Forecaster) -> None:
    items = [
        make_item(f"r{k}", AS_OF - timedelta(weeks=4 - k), signal=0.5 * k, sd=0.2, reliability=0.95) for k in range(5)
    ]
    idata = forecaster.fit(forecaster.readings(items, AS_OF), seed=SEED)
    summary = forecaster.driver_summary(idata, AS_OF)
    assert set(summary) == set(forecaster.spec.driver_ids)
    diplomacy = summary["diplomacy"]
    assert diplomacy.level_low < diplomacy.level < diplomacy.level_high
    assert 1.5 < diplomacy.level < 2.3 and diplomacy.change > 1.0 and diplomacy.trend == "rising"
    assert summary["external_support"].trend == "steady"


def test_no_evidence_fit_is_the_prior_of_the_drivers(prior_fit: az.InferenceData) -> None:
    x = stacked(prior_fit, "x")
    assert abs(x.mean()) < 0.1 and 0.85 < x.std() < 1.25
    assert date(2026, 1, 1) > date(2025, 1, 1) and empty_readings().event == ()
