"""The kinds history measures: their hazard ratios and the fading presence of recent events.

An item of a measured kind (a ceasefire declared, an agreement signed, a mediation begun) is not a
reading of a driver. It shifts the log hazard of each war exit by ``gamma * e(t)``: ``gamma`` is the
log hazard ratio measured on UCDP conflicts (:mod:`forecast.calibration`, with its posterior sd,
widened by the question's mismatch factor), ``e(t)`` the presence of a recent event of the same cell
(kind and attributes), ``0.5 ** (weeks since the event / half-life)``, exactly as in the measurement
panel. Several events of one cell do not stack: the data measure the presence of a recent event,
not a count, so ten truces in a month are one recent truce. A report believed with reliability
``r`` contributes ``r`` of that presence (a linear stand-in for the mixture "it happened or not").

These weights enter no likelihood (the readings measure drivers, the data measured gamma), so the
posterior of gamma is its prior, and leaving a measured event out is exact: the same draws with
the event's presence removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class MeasuredItem:
    """One evidence item of a measured kind, as the inputs layer gives it."""

    id: str
    date: dt.date
    reported: dt.date
    cell: str
    reliability: float
    cluster: str | None = None


@dataclass(frozen=True, eq=False)
class MeasuredEffects:
    """Per cell and transition the log hazard ratio the model uses: Normal(``log_mean``, ``log_sd``).

    ``log_sd`` is already widened by the question's mismatch factor; transitions history did not
    measure have mean 0 and sd 0 (no effect). ``conflicts`` says what the ratio rests on.
    """

    cells: tuple[str, ...]
    transitions: tuple[str, ...]
    log_mean: np.ndarray  # (transitions, cells)
    log_sd: np.ndarray  # (transitions, cells)
    half_life_weeks: float
    conflicts: Mapping[str, int]

    def __post_init__(self) -> None:
        shape = (len(self.transitions), len(self.cells))
        if np.shape(self.log_mean) != shape or np.shape(self.log_sd) != shape:
            raise ValueError(f"log_mean and log_sd must be (transitions, cells) = {shape}")
        if not self.half_life_weeks > 0:
            raise ValueError("the half-life must be positive")

    def strongest(self) -> float:
        """The largest |mean log hazard ratio| of any cell on any transition: the bound on judgement."""
        return float(np.abs(self.log_mean).max(initial=0.0))


def cell_key(kind: str, attributes: Mapping[str, str] | None = None) -> str:
    """``ceasefire_declared[scope=general, side=bilateral]``: one measured hazard ratio per cell."""
    if not attributes:
        return kind
    return f"{kind}[{', '.join(f'{k}={v}' for k, v in sorted(attributes.items()))}]"


def effects_from_rows(
    rows: Iterable[Mapping[str, Any]],
    cells: Iterable[tuple[str, Mapping[str, str]]],
    transitions: tuple[str, ...],
    half_life_weeks: float,
    mismatch: float = 1.0,
) -> MeasuredEffects:
    """The model's effects from measured rows (``kind``, ``attributes``, ``transition``, ``log_mean``,
    ``log_sd``, ``conflicts``) for the given cells; sds widened by ``mismatch``.

    A (cell, transition) without a row has no effect (history did not measure it). A cell's
    ``conflicts`` is the largest over its transitions (the events are the same ones).
    """
    keys = [cell_key(kind, attributes) for kind, attributes in cells]
    mean, sd = np.zeros((len(transitions), len(keys))), np.zeros((len(transitions), len(keys)))
    conflicts = dict.fromkeys(keys, 0)
    for row in rows:
        key = cell_key(str(row["kind"]), row.get("attributes") or {})
        if key not in keys or row["transition"] not in transitions:
            continue
        t, c = transitions.index(row["transition"]), keys.index(key)
        mean[t, c], sd[t, c] = float(row["log_mean"]), float(row["log_sd"])
        conflicts[key] = max(conflicts[key], int(row.get("conflicts") or 0))
    return MeasuredEffects(tuple(keys), transitions, mean, widened_sd(sd, mismatch), half_life_weeks, conflicts)


def no_effects(transitions: tuple[str, ...]) -> MeasuredEffects:
    """No measured kinds (a model of drivers only)."""
    empty = np.zeros((len(transitions), 0))
    return MeasuredEffects((), transitions, empty, empty, 1.0, {})


def widened_sd(log_sd: np.ndarray, mismatch: float) -> np.ndarray:
    """sqrt(sd^2 + log(mismatch)^2) where a ratio was measured (sd > 0); 0 stays 0 (no effect)."""
    return np.where(log_sd > 0, np.sqrt(log_sd**2 + np.log(mismatch) ** 2), 0.0)


@dataclass(frozen=True, eq=False)
class Presence:
    """Measured events known at an as-of date: ``per_event`` (n_events, weeks, cells) presence each adds."""

    event: tuple[str, ...]
    per_event: np.ndarray

    def __len__(self) -> int:
        return len(self.event)

    def total(self, weeks: int, cells: int) -> np.ndarray:
        """(weeks, cells): presence of a recent event of each cell, the strongest event's (no stacking)."""
        if len(self.event) == 0:
            return np.zeros((weeks, cells))
        return self.per_event.max(axis=0)

    def without(self, event: str) -> Presence:
        keep = np.array([e != event for e in self.event], dtype=bool)
        return Presence(tuple(e for e in self.event if e != event), self.per_event[keep])

    def plus(self, other: Presence) -> Presence:
        if not self.event:
            return other
        if not other.event:
            return self
        return Presence(self.event + other.event, np.concatenate([self.per_event, other.per_event]))


def no_presence(weeks: int = 0, cells: int = 0) -> Presence:
    return Presence((), np.zeros((0, weeks, cells)))


def decay(start: date, weeks: int, day: date, half_life_weeks: float) -> np.ndarray:
    """(weeks,) presence of one event on ``day`` at each grid week from ``start``: 0 in weeks that end
    before the event, then ``0.5 ** (weeks from the event to the week's start / half-life)`` (1 in the
    event's own week); an event before the grid has already faded by its real age."""
    week_starts = np.array([(start + timedelta(days=7 * w) - day).days for w in range(weeks)], dtype=float)
    after = week_starts + DAYS_PER_WEEK > 0  # the week ends after the event
    age = np.maximum(week_starts, 0.0) / DAYS_PER_WEEK
    return np.where(after, 0.5 ** (age / half_life_weeks), 0.0)


def presence(
    items: Iterable[MeasuredItem],
    effects: MeasuredEffects,
    start: date,
    weeks: int,
    as_of: date,
) -> Presence:
    """The measured events known at ``as_of``, one per event (cluster or lone item).

    Reports of one event that name the same cell merge into one, corroborated ``1 - prod(1 - r)``
    and dated by the earliest report; reports of one event that name different cells (one outlet
    says unilateral, another bilateral) give one presence per cell, each at its own reliability.
    """
    known = [i for i in items if i.reported <= as_of]
    events: dict[str, dict[str, list[MeasuredItem]]] = {}
    for item in known:
        if item.cell not in effects.cells:
            raise ValueError(f"item {item.id!r}: no measured hazard ratio for {item.cell!r}")
        events.setdefault(item.cluster or item.id, {}).setdefault(item.cell, []).append(item)
    if not events:
        return no_presence(weeks, len(effects.cells))
    out = np.zeros((len(events), weeks, len(effects.cells)))
    for e, cells in enumerate(events.values()):
        for cell, members in cells.items():
            reliability = 1.0 - float(np.prod([1.0 - m.reliability for m in members]))
            day = min(m.date for m in members)
            out[e, :, effects.cells.index(cell)] = reliability * decay(start, weeks, day, effects.half_life_weeks)
    return Presence(tuple(events), out)
