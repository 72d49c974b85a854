"""The bottom line: one row per outcome, the probability chart and the trend over earlier runs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from forecast.results.summary import (
    Summary,
)
from forecast.store.history import Record

from .. import charts
from ..wep import arrow, bottom_line, format_interval, format_pct, format_pp, percent, wep_term
from .common import both_widths, short_date


@dataclass(frozen=True)
class OutcomeRow:
    id: str
    label: str
    short: str
    definition: str
    colour: str
    mean: float
    pct: str
    interval: str
    wep: str
    sentence: str
    prior_pct: str
    prev_pct: str | None = None
    delta: str | None = None
    arrow: str | None = None
    trend: str = "flat"  # up / down / flat, for styling


def outcome_rows(summary: Summary, prev: Record | None) -> list[OutcomeRow]:
    outside = summary.reference.no_evidence
    rows: list[OutcomeRow] = []
    for i, o in enumerate(summary.question.outcomes):
        est = summary.outcomes[o.id]
        change: dict[str, str] = {}
        if prev is not None and o.id in prev.outcomes:
            d = est.mean - prev.outcomes[o.id].mean
            change = {
                "prev_pct": format_pct(prev.outcomes[o.id].mean),
                "delta": format_pp(d),
                "arrow": arrow(d),
                "trend": {"▲": "up", "▼": "down"}.get(arrow(d), "flat"),
            }
        rows.append(
            OutcomeRow(
                id=o.id,
                label=o.label,
                short=o.id.replace("_", " ").replace("-", " ").capitalize(),
                definition=o.definition,
                colour=charts.OUTCOME_COLOURS[i % len(charts.OUTCOME_COLOURS)],
                mean=est.mean,
                pct=format_pct(est.mean),
                interval=format_interval(est.low, est.high),
                wep=wep_term(est.mean),
                sentence=bottom_line(o.label, est.mean, est.low, est.high, summary.interval),
                prior_pct=format_pct(outside[o.id].mean) if o.id in outside else "n/a",
                **change,
            )
        )
    return rows


def probability_chart(summary: Summary, rows: list[OutcomeRow], prev: Record | None) -> charts.Chart:
    def previous(oid: str) -> float | None:
        return prev.outcomes[oid].mean if prev is not None and oid in prev.outcomes else None

    bars = [
        charts.Bar(r.label, r.mean, summary.outcomes[r.id].low, summary.outcomes[r.id].high, previous(r.id))
        for r in rows
    ]
    label = f"Previous run ({short_date(prev.as_of)})" if prev is not None else None
    return both_widths(lambda w: charts.probability_chart(bars, summary.interval, label, width=w))


def trend_chart(summary: Summary, history: list[Record], rows: list[OutcomeRow]) -> charts.Chart | None:
    if not history:
        return None
    runs = [(date.fromisoformat(r.as_of), r.outcomes) for r in history] + [(summary.as_of, summary.outcomes)]

    def col(oid: str, key: str) -> list[float]:
        return [getattr(outcomes[oid], key) if oid in outcomes else math.nan for _, outcomes in runs]

    series = [charts.Series(r.label, col(r.id, "mean"), col(r.id, "low"), col(r.id, "high")) for r in rows]
    dates = [day for day, _ in runs]
    return both_widths(lambda w: charts.trend_chart(dates, series, summary.interval, width=w))


def interval_sentence(interval: float) -> str:
    """What the interval in the bottom line covers, in one sentence a reader can use."""
    return (
        f"Each {percent(interval)}% interval is the range the chance itself could plausibly lie in, given how "
        "uncertain the reference-class hazards are, how strongly each driver moves them, and where the "
        "drivers stand now; it is not a margin of sampling error, and it does not cover a wrong model."
    )
