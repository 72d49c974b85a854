"""What moved the forecast: the top events by impact, and the evidence new since the previous run."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from forecast.results.summary import (
    EventImpact,
    EvidenceEntry,
    Summary,
)

from .. import charts
from ..wep import format_pp
from .common import both_widths
from .outcomes import OutcomeRow

TOP_DRIVERS = 5
MOVER_TITLE = 96  # characters of an event's title in the movers table (its full title is under New evidence)
MAX_NEW_ITEMS = 5  # keeps the briefing within four pages, even on a first run (every item is new)


@dataclass(frozen=True)
class ImpactCell:
    text: str
    style: str


@dataclass(frozen=True)
class MoverRow:
    """One event (a cluster of reports, or a lone item) among those that moved the forecast most."""

    id: str
    title: str
    date: str
    driver: str
    reports: int
    cells: list[ImpactCell]
    new: bool = False  # reported after the previous run's as_of


@dataclass(frozen=True)
class EvidenceRow:
    id: str
    date: str
    kind: str
    title: str
    source: str
    reliability: str
    lead_impact: str


def _tint(value: float, scale: float) -> str:
    """Cell background: blue for a rise, orange for a fall, stronger for larger moves."""
    if scale <= 0 or value == 0:
        return ""
    alpha = min(abs(value) / scale, 1.0) * 0.45
    rgb = "31,95,168" if value > 0 else "194,87,26"
    return f"background-color: rgba({rgb},{alpha:.2f})"


def _size(impact: dict[str, float]) -> float:
    return max((abs(v) for v in impact.values()), default=0.0)


def _basis_label(event: EventImpact) -> str:
    """What an event moved: the driver it read (judgement) or its measured kind, with the conflicts behind it."""
    if event.basis == "measured":
        return f"measured ({event.conflicts or 0} conflicts)"
    return f"{(event.driver or '').replace('_', ' ')} (judgement)"


def _is_new(item: EvidenceEntry, prev_as_of: str | None) -> bool:
    return prev_as_of is None or item.reported.isoformat() > prev_as_of


def _event_title(summary: Summary, event: str) -> str:
    first = summary.evidence_items.get(summary.evidence[event].items[0])
    return first.title if first is not None else event


def movers_table(
    summary: Summary, rows: list[OutcomeRow], lead: OutcomeRow, prev_as_of: str | None = None
) -> tuple[list[MoverRow], charts.Chart | None]:
    """Top events by largest |impact| on any outcome, shown in order of their effect on the lead."""
    events = summary.evidence

    def size(k: str) -> float:
        return _size(events[k].impact)

    top = sorted((k for k in events if size(k) > 0), key=lambda k: (-size(k), k))[:TOP_DRIVERS]
    top.sort(key=lambda k: (-events[k].impact.get(lead.id, 0.0), k))
    scale = max((size(k) for k in top), default=0.0)
    digits = charts.pp_digits(scale)
    items = summary.evidence_items
    table = [
        MoverRow(
            id=k,
            title=textwrap.shorten(_event_title(summary, k), width=MOVER_TITLE, placeholder="…"),
            date=events[k].date.isoformat(),
            driver=_basis_label(events[k]),
            reports=len(events[k].items),
            new=prev_as_of is not None and any(_is_new(items[i], prev_as_of) for i in events[k].items if i in items),
            cells=[
                ImpactCell(
                    format_pp(events[k].impact.get(r.id, 0.0), digits), _tint(events[k].impact.get(r.id, 0.0), scale)
                )
                for r in rows
            ],
        )
        for k in top
    ]
    if not top:
        return table, None
    moved = [charts.Driver(m.title, events[m.id].impact.get(lead.id, 0.0)) for m in table]
    return table, both_widths(lambda w: charts.drivers_chart(moved, lead.label, width=w))


def new_evidence_rows(summary: Summary, prev_as_of: str | None, lead: OutcomeRow) -> tuple[list[EvidenceRow], int]:
    """Items reported after the previous run's as_of (all items on a first run), newest first.

    Returns the rows shown and the number of new items. When there are more than
    ``MAX_NEW_ITEMS``, the ones whose event moved any outcome most are shown.
    """
    items, events = summary.evidence_items, summary.evidence

    def impact(k: str) -> dict[str, float]:
        event = items[k].event
        return events[event].impact if event in events else {}

    new = [k for k, it in items.items() if _is_new(it, prev_as_of)]
    total = len(new)
    if total > MAX_NEW_ITEMS:
        new = sorted(new, key=lambda k: (-_size(impact(k)), k))[:MAX_NEW_ITEMS]
    new.sort(key=lambda k: (items[k].date, k), reverse=True)
    return [
        EvidenceRow(
            id=k,
            date=items[k].date.isoformat(),
            kind=items[k].kind.replace("_", " "),
            title=items[k].title,
            source=items[k].source,
            reliability=f"{items[k].reliability:.2f}",
            lead_impact=format_pp(impact(k).get(lead.id, 0.0), 2) if impact(k) else "state",
        )
        for k in new
    ], total
