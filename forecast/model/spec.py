"""The plain description of one question's model: grid, drivers, transitions and priors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from forecast.model.drivers import Driver, Links, load_drivers, load_links
from forecast.model.measured import MeasuredEffects, no_effects
from forecast.states import TRANSITIONS, transition_label


@dataclass(frozen=True, eq=False)
class Spec:
    """Everything fixed over a question: the weekly grid, the drivers and the priors.

    ``log_h0_mu``/``log_h0_sd`` are (n_transitions,) per-year log hazards at typical driver levels;
    ``beta_mean``/``beta_sd`` are (n_transitions, n_drivers). The grid runs from ``start`` for
    ``weeks`` weeks and never changes with the as-of date or the data, so nothing recompiles.
    """

    start: date
    weeks: int
    drivers: tuple[Driver, ...]
    log_h0_mu: np.ndarray
    log_h0_sd: np.ndarray
    beta_mean: np.ndarray
    beta_sd: np.ndarray
    transitions: tuple[tuple[str, str], ...] = TRANSITIONS
    noise_sd: float = 1.0
    measured_effects: MeasuredEffects | None = None

    def __post_init__(self) -> None:
        n_t, n_d = len(self.transitions), len(self.drivers)
        if self.measured_effects is not None and self.measured_effects.transitions != self.transition_labels:
            raise ValueError("the measured effects must be given for the spec's transitions, in order")
        if np.shape(self.log_h0_mu) != (n_t,) or np.shape(self.log_h0_sd) != (n_t,):
            raise ValueError("log_h0_mu and log_h0_sd must have one entry per transition")
        if np.shape(self.beta_mean) != (n_t, n_d) or np.shape(self.beta_sd) != (n_t, n_d):
            raise ValueError("beta_mean and beta_sd must be (transitions, drivers)")

    @property
    def measured(self) -> MeasuredEffects:
        """The measured kinds' hazard ratios (none: a model of drivers only)."""
        return self.measured_effects if self.measured_effects is not None else no_effects(self.transition_labels)

    @property
    def driver_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.drivers)

    @property
    def n_drivers(self) -> int:
        return len(self.drivers)

    @property
    def transition_labels(self) -> tuple[str, ...]:
        return tuple(transition_label(t) for t in self.transitions)

    @property
    def end(self) -> date:
        """First day after the grid's last week."""
        return self.start + timedelta(days=7 * self.weeks)

    def week_of(self, day: date) -> int:
        """Grid week holding ``day``; ValueError for a day outside the grid.

        It used to clip, which silently placed an event 200 days before ``start`` on the first week, as
        if it had happened then. Inputs are checked against the question's span when loaded (located
        messages); this is the backstop for a caller that skips that check.
        """
        if day < self.start:
            raise ValueError(f"{day} is before the grid's start {self.start}")
        if day >= self.end:
            raise ValueError(f"{day} is past the grid's end {self.end}")
        return (day - self.start).days // 7


def grid_weeks(start: date, end: date) -> int:
    """Number of grid weeks from ``start`` so that the grid covers ``end``."""
    return (end - start).days // 7 + 1


def default_spec(
    start: date,
    end: date,
    h0: dict[str, float],
    h0_sd: float | dict[str, float] = 0.3,
    links: Links | None = None,
    drivers: tuple[Driver, ...] | None = None,
    measured: MeasuredEffects | None = None,
) -> Spec:
    """A spec with the default catalogue and link table; ``h0`` per transition label, per year (medians)."""
    drivers = drivers if drivers is not None else load_drivers()
    links = links if links is not None else load_links(drivers=tuple(d.id for d in drivers))
    labels = [transition_label(t) for t in links.transitions]
    sd = h0_sd if isinstance(h0_sd, dict) else dict.fromkeys(labels, h0_sd)
    return Spec(
        start=start,
        weeks=grid_weeks(start, end),
        drivers=tuple(drivers),
        log_h0_mu=np.log([h0[label] for label in labels]),
        log_h0_sd=np.array([sd[label] for label in labels], dtype=float),
        beta_mean=links.mean,
        beta_sd=links.sd,
        transitions=links.transitions,
        measured_effects=measured,
    )


def mean_multiplier(drivers: tuple[Driver, ...], beta_mean: np.ndarray, beta_sd: np.ndarray) -> np.ndarray:
    """E[exp(sum_d beta_d x_d)] per transition under the priors, by a fixed-seed Monte Carlo (40,000 draws).

    The reference-class rate is a mean over conflicts whose drivers vary, so the hazard at typical
    driver levels is that rate divided by this factor; otherwise driver uncertainty alone would raise
    the no-evidence forecast above the reference class (Jensen). A weekly run builds ~70 specs with
    the same priors, so the result is memoised on the inputs' values (the Monte Carlo is seeded,
    so a repeat gives the same numbers).
    """
    beta_mean = np.asarray(beta_mean, dtype=float)
    beta_sd = np.asarray(beta_sd, dtype=float)
    key = (
        tuple((d.sd_median, d.sd_log_sd) for d in drivers),
        beta_mean.shape,
        beta_mean.tobytes(),
        beta_sd.shape,
        beta_sd.tobytes(),
    )
    if key not in _MULTIPLIERS:
        _MULTIPLIERS[key] = _sampled_multiplier(drivers, beta_mean, beta_sd)
    return _MULTIPLIERS[key].copy()


_MULTIPLIERS: dict[tuple[object, ...], np.ndarray] = {}


def _sampled_multiplier(drivers: tuple[Driver, ...], beta_mean: np.ndarray, beta_sd: np.ndarray) -> np.ndarray:
    """The Monte Carlo behind :func:`mean_multiplier`, uncached."""
    rng = np.random.default_rng(0)
    n = 40_000
    sd = np.array([[d.sd_median] for d in drivers]) * np.exp(
        rng.normal(0, [[d.sd_log_sd] for d in drivers], (len(drivers), n))
    )
    x = rng.normal(0.0, 1.0, (len(drivers), n)) * sd  # (drivers, n)
    beta = rng.normal(beta_mean[..., None], beta_sd[..., None], (*beta_mean.shape, n))  # (transitions, drivers, n)
    return np.exp(np.einsum("tdn,dn->tn", beta, x)).mean(axis=1)


def question_spec(
    start: date,
    horizon: date,
    log_mu: dict[str, float],
    log_sd: dict[str, float],
    links: Links,
    drivers: tuple[Driver, ...] | None = None,
    measured: MeasuredEffects | None = None,
) -> Spec:
    """The spec of a question: reference-class log-hazards (mean-matched, see :func:`mean_multiplier`),
    its link priors, the driver catalogue, the measured kinds' hazard ratios, and a weekly grid from
    ``start`` past the ``horizon``. The log-hazards are the no-event baseline (the caller re-bases them)."""
    drivers = drivers if drivers is not None else load_drivers()
    labels = [transition_label(t) for t in links.transitions]
    offset = np.log(mean_multiplier(drivers, links.mean, links.sd))
    return Spec(
        start=start,
        weeks=grid_weeks(start, horizon + timedelta(days=1)),
        drivers=tuple(drivers),
        log_h0_mu=np.array([log_mu[label] for label in labels]) - offset,
        log_h0_sd=np.array([log_sd[label] for label in labels], dtype=float),
        beta_mean=links.mean,
        beta_sd=links.sd,
        transitions=links.transitions,
        measured_effects=measured,
    )
