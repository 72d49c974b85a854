"""The crowd beside the forecast: a sentence per benchmark and the chart of our curve against theirs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forecast.results.summary import (
    BenchmarkComparison,
    Summary,
)

from .. import charts
from ..wep import percent
from .common import both_widths, long_date


@dataclass(frozen=True)
class CrowdRow:
    """One outside forecast in the crowd section: the sentence comparing it, and where it came from."""

    id: str
    sentence: str
    source: str
    question: str
    url: str
    via: str | None
    match: str


@dataclass(frozen=True)
class Crowd:
    """The crowd beside the forecast: the chart, a sentence per benchmark, what the match words mean."""

    chart: charts.Chart
    rows: list[CrowdRow]
    matches: list[tuple[str, str]]


# What each ``match`` word tells the reader (docs/evidence.md#benchmarks says the same).
MATCH_WORDS = {
    "same": "their question resolves exactly as ours does",
    "close": "small differences of wording that should move the figure little",
    "loose": "the questions differ in ways that can move the figure a lot (compare with care)",
}
_STATE_WORDS = {"war": "continued war", "ceasefire": "ceasefire", "frozen": "frozen conflict", "deal": "deal"}


def crowd_pct(p: float) -> str:
    """'0.8%' below 10% (the crowd section compares small chances), '24%' above."""
    return f"{p * 100:.1f}%" if p < 0.1 else f"{percent(p)}%"


def _their_pct(p: float) -> str:
    """An outside figure as its source gave it: '24%', '6%', '0.5%'."""
    return f"{round(p * 100, 2):g}%"


def union_words(outcomes: list[str]) -> str:
    """'a ceasefire or deal in effect': the union of outcomes a benchmark's yes maps to."""
    if outcomes == ["war"]:
        return "continued war"
    return "a " + " or ".join(_STATE_WORDS.get(o, o.replace("_", " ")) for o in outcomes) + " in effect"


def _match_clause(b: BenchmarkComparison) -> str:
    differences = b.differences.strip().rstrip(".")
    if b.match == "same":
        return "for the same question"
    if b.match == "close":
        return f"for a question worded nearly the same way: {differences}"
    return f"for a question whose wording differs: {differences}"


def crowd_sentence(b: BenchmarkComparison, as_of: date) -> str:
    """One plain sentence: our number for the benchmark's event beside theirs, and how the questions differ."""
    theirs = f"{b.source} stood at {_their_pct(b.probability)} on {long_date(b.seen)} {_match_clause(b)}."
    if b.ours is None:
        return (
            f"{long_date(b.by)} is before this run's as-of date ({long_date(as_of)}), so the forecast gives no "
            f"number for {union_words(b.outcomes)} on it; {theirs}"
        )
    ours = b.ours
    interval = f"{crowd_pct(ours.low).rstrip('%')}\u2013{crowd_pct(ours.high)}"
    return (
        f"The forecast puts {union_words(b.outcomes)} on {long_date(b.by)} at {crowd_pct(ours.mean)} "
        f"({interval}); {theirs}"
    )


def crowd_lines(summary: Summary) -> tuple[list[date], list[charts.CrowdLine]]:
    """The forecast dates, and per union the benchmarks map to: our curve and their figures."""
    dates: list[date] = [summary.as_of]
    lines = []
    for key, points in summary.union_curves.items():
        members = [b for b in summary.benchmarks if b.union == key]
        if not members or not points:
            continue
        dates = [p.date for p in points]
        series = charts.Series(
            f"Forecast: P({union_words(members[0].outcomes)})",
            [p.mean for p in points],
            [p.low for p in points],
            [p.high for p in points],
        )
        markers = [charts.Marker(f"{b.source} {_their_pct(b.probability)}", b.by, b.probability) for b in members]
        lines.append(charts.CrowdLine(series, markers))
    return dates, lines


def _crowd_chart(summary: Summary) -> charts.Chart:
    dates, lines = crowd_lines(summary)
    return both_widths(lambda w: charts.crowd_chart(dates, lines, summary.interval, width=w))


def crowd(summary: Summary) -> Crowd | None:
    """The crowd section, or none when the run has no benchmarks."""
    if not summary.benchmarks:
        return None
    rows = [
        CrowdRow(b.id, crowd_sentence(b, summary.as_of), b.source, b.question, b.url, b.via, b.match)
        for b in summary.benchmarks
    ]
    return Crowd(_crowd_chart(summary), rows, list(MATCH_WORDS.items()))
