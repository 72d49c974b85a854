"""The shipped event table (``priors/reference/events.csv``) and its kind cells.

A *kind cell* is an evidence kind with its attributes, e.g. ``ceasefire_declared`` with
``side=bilateral, scope=general``. Months are counted as integers ``year * 12 + month - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from forecast.errors import InputError
from forecast.model.measured import cell_key
from forecast.reference.data import resolve_data_dir

EVENTS_FILE = "events.csv"
COLUMNS = ("event_id", "dataset", "source_id", "conflict_id", "date", "date_prec", "kind", "side", "scope", "stage")


@dataclass(frozen=True)
class Cell:
    """One kind cell, the years its source data cover, and whether it is an outcome (never evidence)."""

    kind: str
    attributes: tuple[tuple[str, str], ...]
    first_year: int
    last_year: int
    outcome: bool = False

    @property
    def key(self) -> str:
        """The cell's name, as the forecaster writes it (:func:`forecast.model.measured.cell_key`)."""
        return cell_key(self.kind, self.attrs)

    @property
    def attrs(self) -> dict[str, str]:
        return dict(self.attributes)


def _cf(side: str, scope: str) -> Cell:
    return Cell("ceasefire_declared", (("side", side), ("scope", scope)), 1989, 2020)


# Coverage: CF 1989-2020; UCDP PA 1975-2021; PA-X 1990-2023 (so cells fed by PA-X start in 1990);
# CWM mediation 1946-2011.
CELLS: tuple[Cell, ...] = (
    _cf("unilateral", "general"),
    _cf("unilateral", "partial"),
    _cf("bilateral", "general"),
    _cf("bilateral", "partial"),
    Cell("agreement_signed", (("stage", "pre_negotiation"),), 1990, 2023),
    Cell("agreement_signed", (("stage", "process"),), 1975, 2021),
    Cell("agreement_signed", (("stage", "partial"),), 1990, 2021),
    Cell("agreement_signed", (("stage", "comprehensive"),), 1990, 2021, outcome=True),
    Cell("mediation", (), 1946, 2011),
)
CELL_KEYS: tuple[str, ...] = tuple(c.key for c in CELLS)


def find_cell(kind: str, attributes: dict[str, str] | None = None) -> str:
    """The key of a measured kind with attributes; KeyError listing the measured cells if there is none."""
    wanted = dict(attributes or {})
    for c in CELLS:
        if c.kind == kind and c.attrs == wanted:
            return c.key
    choices = [f"{c.kind} {c.attrs}" for c in CELLS]
    raise KeyError(f"no measured kind cell {kind} {wanted}; measured: {choices}")


def month_index(day: date | pd.Timestamp) -> int:
    return day.year * 12 + day.month - 1


def events_path(data_dir: Path | None = None) -> Path:
    return resolve_data_dir(data_dir) / EVENTS_FILE


def load_events(data_dir: Path | None = None) -> pd.DataFrame:
    """The event table with ``cell`` (kind cell key) and ``month``; an unreadable file is an InputError."""
    path = events_path(data_dir)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, None, "", f"cannot read the event table: {exc}") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, 1, "", f"missing columns {missing}")
    try:
        frame["conflict_id"] = frame["conflict_id"].astype("int64")
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    except (ValueError, TypeError) as exc:
        raise InputError(path, None, "", f"bad conflict_id or date: {exc}") from None
    keys = {}
    for c in CELLS:
        keys[(c.kind, *(c.attrs.get(a, "") for a in ("side", "scope", "stage")))] = c.key
    cells = [
        keys.get((k, s, sc, st))
        for k, s, sc, st in zip(frame["kind"], frame["side"], frame["scope"], frame["stage"], strict=True)
    ]
    bad = [i for i, c in enumerate(cells) if c is None]
    if bad:
        raise InputError(path, bad[0] + 2, "kind", f"unknown kind cell on {len(bad)} rows")
    frame["cell"] = cells
    frame["month"] = frame["date"].dt.year * 12 + frame["date"].dt.month - 1
    return frame


def events_before(events: pd.DataFrame, day: date | None) -> pd.DataFrame:
    """Events dated strictly before ``day`` (all when None)."""
    if day is None:
        return events
    return events[events["date"] < pd.Timestamp(day)]
