"""Evidence items to readings: look-ahead filtering, clusters merged, week placement.

A reading is one noisy measurement of one driver at the week of its event. Several reports of one
event (a cluster) become ONE reading: its reliability is corroborated, ``r = 1 - prod(1 - r_j)``
(the chance that at least one report is right), and its signal and sd are those of the most
informative member (largest ``r |signal| / sd``). So two reports move the forecast at least as much
as the stronger alone (same measurement, higher reliability) and less than two independent events
(one measurement, not two). Averaging signals or reliabilities would let a weak echo dilute a strong report.

An event may read several drivers: two outlets report one statement and each reads it as saying
something about a different driver. The event then gives one reading per driver it reads, each
merged from the members that read that driver only (each corroborated by its own reports), all
carrying the event's name: leaving the event out (:meth:`Readings.without`, attribution) leaves out
every one of its readings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from forecast.model.measured import Presence, no_presence
from forecast.model.spec import Spec

MAX_RELIABILITY = 1.0 - 1e-9


@dataclass(frozen=True)
class Item:
    """One evidence item as the inputs layer gives it."""

    id: str
    date: dt.date
    reported: dt.date
    driver: str
    signal: float
    sd: float
    reliability: float
    cluster: str | None = None


@dataclass(frozen=True, eq=False)
class Readings:
    """Readings as arrays (n,), one per event and driver; ``event`` names the cluster (or the lone item's id),
    so an event reading two drivers appears twice in ``event``."""

    event: tuple[str, ...]
    driver: np.ndarray
    week: np.ndarray
    signal: np.ndarray
    sd: np.ndarray
    reliability: np.ndarray
    measured: Presence = field(default_factory=no_presence)  # events of the measured kinds (no readings)

    def __len__(self) -> int:
        return len(self.event)

    @property
    def events(self) -> tuple[str, ...]:
        """The distinct events, in the order of their first reading."""
        return tuple(dict.fromkeys(self.event))

    def rows_of(self, event: str) -> np.ndarray:
        """Indices of the readings of ``event`` (one per driver it reads)."""
        return np.flatnonzero([e == event for e in self.event])

    def without(self, event: str) -> Readings:
        """The same readings with one event (all its readings) left out (for refits and attribution checks)."""
        keep = np.array([e != event for e in self.event], dtype=bool)
        return Readings(
            event=tuple(e for e in self.event if e != event),
            driver=self.driver[keep],
            week=self.week[keep],
            signal=self.signal[keep],
            sd=self.sd[keep],
            reliability=self.reliability[keep],
            measured=self.measured.without(event),
        )

    def with_measured(self, measured: Presence) -> Readings:
        """The same driver readings with these measured events."""
        return replace(self, measured=measured)

    def presence(self, spec: Spec) -> np.ndarray:
        """(weeks, cells): the fading presence of a recent measured event of each cell."""
        return self.measured.total(spec.weeks, len(spec.measured.cells))


def empty_readings() -> Readings:
    """No evidence."""
    z = np.zeros(0)
    return Readings(event=(), driver=z.astype(int), week=z.astype(int), signal=z, sd=z, reliability=z)


def _cluster_key(item: Item) -> str:
    return item.cluster if item.cluster is not None else item.id


def strength(reliability: float, signal: float, sd: float) -> float:
    """How informative a reading is: ``r |signal| / sd`` (which member stands for a cluster's driver)."""
    return reliability * abs(signal) / sd


def _merged(members: list[Item]) -> Item:
    """One item standing for the members of an event that read one driver: strongest member's signal
    and sd, corroborated reliability."""
    strongest = max(members, key=lambda m: strength(m.reliability, m.signal, m.sd))
    reliability = 1.0 - float(np.prod([1.0 - m.reliability for m in members]))
    return Item(
        id=_cluster_key(strongest),
        date=strongest.date,
        reported=max(m.reported for m in members),
        driver=strongest.driver,
        signal=strongest.signal,
        sd=strongest.sd,
        reliability=reliability,
    )


def readings(items: Iterable[Item], spec: Spec, as_of: date) -> Readings:
    """Readings known at ``as_of``: items reported later are dropped before clusters are merged.

    One reading per event and driver (an event's readings are adjacent, its drivers in first-seen order).
    Raises ValueError for an event date outside the grid (:meth:`Spec.week_of`); loading the evidence
    against the question refuses such items first, with a located message.
    """
    known = [item for item in items if item.reported <= as_of]
    events: dict[str, dict[str, list[Item]]] = {}
    for item in known:
        events.setdefault(_cluster_key(item), {}).setdefault(item.driver, []).append(item)
    merged = [_merged(members) for by_driver in events.values() for members in by_driver.values()]
    ids = spec.driver_ids
    for m in merged:
        if m.driver not in ids:
            raise ValueError(f"item {m.id!r}: unknown driver {m.driver!r}")
    if not merged:
        return empty_readings()
    return Readings(
        event=tuple(m.id for m in merged),
        driver=np.array([ids.index(m.driver) for m in merged], dtype=int),
        week=np.array([spec.week_of(m.date) for m in merged], dtype=int),
        signal=np.array([m.signal for m in merged], dtype=float),
        sd=np.array([m.sd for m in merged], dtype=float),
        reliability=np.clip([m.reliability for m in merged], 1e-9, MAX_RELIABILITY),
    )


def reading_log_lik(readings: Readings, x: np.ndarray, noise_sd: float) -> np.ndarray:
    """Per draw and reading: log of the measurement mixture (draws, n) given driver paths x (draws, weeks, drivers)."""
    level = x[:, readings.week, readings.driver]
    informative = np.log(readings.reliability) + _normal_logpdf(readings.signal, level, readings.sd)
    noise = np.log1p(-readings.reliability) + _normal_logpdf(readings.signal, 0.0, noise_sd)
    return np.logaddexp(informative, noise)


def _normal_logpdf(y: np.ndarray, mu: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
    return -0.5 * ((y - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
