"""The chance over time and the drivers: the weekly curves, the state sentence, the driver panel."""

from __future__ import annotations

from dataclasses import dataclass

from forecast.results.summary import (
    Summary,
)

from .. import charts
from .common import both_widths, long_date
from .outcomes import OutcomeRow


@dataclass(frozen=True)
class DriverPanelRow:
    """A latent driver in words and numbers."""

    id: str
    label: str
    sentence: str  # "diplomacy: rising"
    level: str
    change: str
    trend: str


def curves_chart(summary: Summary, rows: list[OutcomeRow]) -> charts.Chart:
    """Each outcome's chance on every week from the as-of date to the horizon (marked)."""
    points = summary.curves
    dates = [p.date for p in points[rows[0].id]]
    series = [
        charts.Series(
            r.label, [p.mean for p in points[r.id]], [p.low for p in points[r.id]], [p.high for p in points[r.id]]
        )
        for r in rows
    ]
    return both_widths(lambda w: charts.curves_chart(dates, series, summary.interval, summary.horizon, width=w))


def state_sentence(summary: Summary) -> str:
    record = summary.state
    label = {o.id: o.label for o in summary.question.outcomes}.get(record.state, record.state)
    if record.since is None:
        return f"State on {long_date(summary.as_of)}: {label.lower()} (no recorded transition)."
    return f"State on {long_date(summary.as_of)}: {label.lower()} since {long_date(record.since)} (item {record.item})."


def driver_rows(summary: Summary) -> list[DriverPanelRow]:
    return [
        DriverPanelRow(
            id=d,
            label=state.description,
            sentence=f"{d.replace('_', ' ')}: {state.trend}",
            level=f"{state.level.mean:+.2f} ({state.level.low:+.2f} to {state.level.high:+.2f})",
            change=f"{state.change.mean:+.2f} ({state.change.low:+.2f} to {state.change.high:+.2f})",
            trend=state.trend,
        )
        for d, state in summary.drivers.items()
    ]
