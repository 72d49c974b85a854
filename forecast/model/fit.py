"""Compile once, fit per as-of date, and turn posterior draws into forecasts and driver summaries.

:class:`Forecaster` holds one compiled model and one NUTS step for a question. Each fit swaps the
readings through ``pm.Data`` (padded to a capacity, so shapes stay fixed), restores the step's
untuned state and samples with a fixed seed, so the same data and seed give identical draws; the
last few fits are kept, so questions sharing the model (and their refits) sample each data set once.
The as-of date and the current state never enter the model: forecasts are post-processing of the
draws (the driver grid already continues past the as-of date as the AR continuation).
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import arviz as az
import numpy as np
import nutpie
import pymc as pm
import xarray as xr

from forecast.model.joint import build_model, evidence_data
from forecast.model.measured import MeasuredItem, presence
from forecast.model.readings import Item, Readings, empty_readings, readings
from forecast.model.settings import Sampler, SamplerSettings
from forecast.model.spec import Spec
from forecast.process import generator, state_probabilities, step_dates, step_years
from forecast.states import STATES, state_index

QUANTILES = (0.05, 0.95)
TREND_PROBABILITY = 0.75
TREND_MIN_CHANGE = 0.1
KEPT_FITS = 16  # a run's main fit, its refits and the sensitivity refits, for the second question of a model


@dataclass(frozen=True, eq=False)
class Curves:
    """Weekly forecast curves from the as-of date to the horizon.

    ``draws`` is (n_draws, n_dates, 4): P(state at date) per posterior draw; ``mean``/``low``/``high``
    are (n_dates, 4) over draws (low/high the 5% and 95% quantiles: how unsure the chance itself is).
    """

    dates: tuple[date, ...]
    states: tuple[str, ...]
    draws: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def horizon(self) -> dict[str, float]:
        """Mean chance of each state on the horizon date."""
        return {s: float(self.mean[-1, i]) for i, s in enumerate(self.states)}

    def horizon_draws(self) -> np.ndarray:
        """(n_draws, 4) chances on the horizon date, per draw."""
        return self.draws[:, -1, :]


@dataclass(frozen=True)
class DriverSummary:
    """A driver at the as-of week and its change over the last four weeks (posterior mean, 90% interval)."""

    driver: str
    level: float
    level_low: float
    level_high: float
    change: float
    change_low: float
    change_high: float
    trend: str


def stacked(idata: az.InferenceData, name: str) -> np.ndarray:
    """A posterior variable with chains and draws flattened into the first axis."""
    values = idata.posterior[name].values
    return values.reshape((-1,) + values.shape[2:])


@dataclass(frozen=True, eq=False)
class Draws:
    """What a forecast needs of the posterior: log baseline hazards (n, T), links (n, T, D), paths (n, W, D),
    and for the measured kinds their log hazard ratios (n, T, C) and the presence of recent events (W, C)."""

    log_h0: np.ndarray
    beta: np.ndarray
    x: np.ndarray
    gamma: np.ndarray | None = None
    presence: np.ndarray | None = None

    @classmethod
    def of(cls, idata: az.InferenceData) -> Draws:
        measured = "gamma" in idata.posterior
        return cls(
            stacked(idata, "log_h0"),
            stacked(idata, "beta"),
            stacked(idata, "x"),
            stacked(idata, "gamma") if measured else None,
            idata.constant_data["measured_presence"].values if measured else None,
        )


def hazards_at(draws: Draws, weeks: np.ndarray) -> np.ndarray:
    """Per-year hazards (draws, len(weeks), transitions) at the given grid weeks."""
    log_h = draws.log_h0[:, None, :] + np.einsum("swd,std->swt", draws.x[:, weeks, :], draws.beta)
    if draws.gamma is not None and draws.presence is not None:
        log_h = log_h + np.einsum("wc,stc->swt", draws.presence[weeks], draws.gamma)
    return np.exp(log_h)


def state_draws(
    draws: Draws, spec: Spec, as_of: date, horizon: date, state: str = "war"
) -> tuple[list[date], np.ndarray]:
    """(dates, P(state) per draw (n, dates, 4)) from ``as_of`` (known ``state``) to ``horizon``."""
    if horizon >= spec.end:
        raise ValueError(f"horizon {horizon} is past the grid's end {spec.end}")
    dates = step_dates(as_of, horizon)
    weeks = np.array([spec.week_of(d) for d in dates[:-1]])
    q = generator(hazards_at(draws, weeks), spec.transitions)
    return dates, state_probabilities(q, step_years(dates), state_index(state))


def forecast_curves(
    idata: az.InferenceData, spec: Spec, as_of: date, horizon: date, state: str = "war", also: Iterable[date] = ()
) -> Curves:
    """P(state) on every week from ``as_of`` (known ``state``) to ``horizon``, per draw and summarised.

    ``also``: days between them (other questions' horizons) given a point each, computed as that
    question's own forecast is, so both agree on it exactly; the weekly steps do not change with them.
    """
    posterior = Draws.of(idata)
    dates, draws = state_draws(posterior, spec, as_of, horizon, state)
    extra = sorted({d for d in also if as_of < d < horizon} - set(dates))
    if extra:
        points = {d: state_draws(posterior, spec, as_of, d, state)[1][:, -1, :] for d in extra}
        weekly = {d: draws[:, k, :] for k, d in enumerate(dates)}
        dates = sorted([*dates, *extra])
        draws = np.stack([points[d] if d in points else weekly[d] for d in dates], axis=1)
    low, high = np.quantile(draws, QUANTILES, axis=0)
    return Curves(dates=tuple(dates), states=STATES, draws=draws, mean=draws.mean(axis=0), low=low, high=high)


def trend_word(change: np.ndarray) -> str:
    """rising / falling if the change is positive (negative) with probability >= 0.75 and its mean
    magnitude is at least 0.1 sd; steady otherwise."""
    mean = float(change.mean())
    if abs(mean) < TREND_MIN_CHANGE:
        return "steady"
    if np.mean(change > 0) >= TREND_PROBABILITY:
        return "rising"
    if np.mean(change < 0) >= TREND_PROBABILITY:
        return "falling"
    return "steady"


def driver_summary(idata: az.InferenceData, spec: Spec, as_of: date) -> dict[str, DriverSummary]:
    """Each driver's level at the as-of week and its change from four weeks earlier."""
    x = stacked(idata, "x")
    now = spec.week_of(as_of)
    before = max(now - 4, 0)
    out = {}
    for d, driver in enumerate(spec.driver_ids):
        level, change = x[:, now, d], x[:, now, d] - x[:, before, d]
        (lo, hi), (clo, chi) = np.quantile(level, QUANTILES), np.quantile(change, QUANTILES)
        out[driver] = DriverSummary(
            driver=driver,
            level=float(level.mean()),
            level_low=float(lo),
            level_high=float(hi),
            change=float(change.mean()),
            change_low=float(clo),
            change_high=float(chi),
            trend=trend_word(change),
        )
    return out


def fit_key(data: dict[str, np.ndarray], seed: int, draws: int, tune: int) -> str:
    """A digest of everything a fit depends on beyond the compiled model: its data, seed and lengths."""
    digest = hashlib.sha256(f"{seed}/{draws}/{tune}".encode())
    for name in sorted(data):
        value = np.ascontiguousarray(data[name])
        digest.update(f"{name}{value.dtype}{value.shape}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


class Forecaster:
    """One compiled model and NUTS step for a question, refitted per as-of date without recompiling."""

    def __init__(
        self,
        spec: Spec,
        capacity: int = 256,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 2,
        target_accept: float = 0.8,
        settings: SamplerSettings | None = None,
        sampler: Sampler = "pymc",
    ) -> None:
        if settings is not None:
            draws, tune, chains, target_accept = settings.draws, settings.tune, settings.chains, settings.target_accept
            sampler = settings.sampler
        self.spec, self.sampler = spec, sampler
        self._nutpie: Any = None  # nutpie's compiled model, built on the first nutpie fit
        self.draws, self.tune, self.chains, self.target_accept = draws, tune, chains, target_accept
        self.cores = min(chains, os.cpu_count() or 1)  # chains in parallel; the draws do not depend on it
        self._fits: OrderedDict[str, az.InferenceData] = OrderedDict()
        self._compile(capacity)

    def _compile(self, capacity: int) -> None:
        """Build the model and NUTS step once; beyond ``capacity`` distinct readings the per-cell table is used."""
        self.capacity = capacity
        self.model = build_model(self.spec, empty_readings(), capacity)
        with self.model:
            self._step = pm.NUTS(target_accept=self.target_accept)
        self._untuned = copy.deepcopy(self._step.sampling_state)

    def readings(self, items: list[Item], as_of: date, measured: Iterable[MeasuredItem] = ()) -> Readings:
        """The readings known at ``as_of`` (look-ahead filtered, clusters merged), with the measured events."""
        spec = self.spec
        return readings(items, spec, as_of).with_measured(
            presence(measured, spec.measured, spec.start, spec.weeks, as_of)
        )

    def fit(self, evidence: Readings, seed: int = 0, drift: float = 1.0, draws: int | None = None) -> az.InferenceData:
        """Posterior draws given the readings (already filtered to an as-of date).

        ``drift`` scales the drivers' sd prior (sensitivity refits); ``draws`` replaces both the
        draws and the tuning steps for a cheaper refit (default: the forecaster's own).
        """
        data = evidence_data(evidence, self.spec, self.capacity, drift)
        key = fit_key(data, seed, draws or self.draws, draws or self.tune)
        if key in self._fits:
            self._fits.move_to_end(key)
            return self._fits[key]
        sample = self._nutpie_sample if self.sampler == "nutpie" else self._pymc_sample
        idata = sample(data, seed, draws or self.draws, draws or self.tune)
        self._fits[key] = idata
        if len(self._fits) > KEPT_FITS:
            self._fits.popitem(last=False)
        return idata

    def forget_fits(self) -> None:
        """Drop the kept fits: the next fit of any data samples anew."""
        self._fits.clear()

    def _pymc_sample(self, data: dict[str, np.ndarray], seed: int, draws: int, tune: int) -> az.InferenceData:
        pm.set_data(data, model=self.model)
        self._step.sampling_state = copy.deepcopy(self._untuned)
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=self.chains,
            cores=self.cores,
            step=self._step,
            random_seed=seed,
            model=self.model,
            progressbar=False,
            compute_convergence_checks=False,
        )

    def _nutpie_sample(self, data: dict[str, np.ndarray], seed: int, draws: int, tune: int) -> az.InferenceData:
        """The same model under nutpie: compiled once (numba), the data swapped with ``with_data``.

        nutpie keeps only the containers the log density reads, so the measured presence (post-processing
        only) is put back as ``constant_data``, where PyMC's sampler leaves it.
        """
        if self._nutpie is None:
            pm.set_data(data, model=self.model)
            self._nutpie = nutpie.compile_pymc_model(self.model)
        compiled = self._nutpie.with_data(**{k: v for k, v in data.items() if k in self._nutpie.shared_data})
        idata = nutpie.sample(
            compiled,
            draws=draws,
            tune=tune,
            chains=self.chains,
            cores=self.cores,
            seed=seed,
            target_accept=self.target_accept,
            save_warmup=False,
            progress_bar=False,
        )
        if "measured_presence" in data:
            presence = xr.Dataset({"measured_presence": (("week", "cell"), np.asarray(data["measured_presence"]))})
            idata.add_groups(constant_data=presence)
        return idata

    def fit_items(self, items: list[Item], as_of: date, seed: int = 0) -> az.InferenceData:
        """Filter the items to ``as_of``, merge clusters and fit (the current state is post-processing)."""
        return self.fit(self.readings(items, as_of), seed=seed)

    def forecast_curves(
        self, idata: az.InferenceData, as_of: date, horizon: date, state: str = "war", also: Iterable[date] = ()
    ) -> Curves:
        return forecast_curves(idata, self.spec, as_of, horizon, state, also)

    def driver_summary(self, idata: az.InferenceData, as_of: date) -> dict[str, DriverSummary]:
        return driver_summary(idata, self.spec, as_of)
