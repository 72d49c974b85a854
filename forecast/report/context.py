"""Turn a run's summary/manifest (plus earlier runs) into the plain values the template shows.

Pure: no file access, no clock. Everything the reader sees is formatted here, so the template
only lays it out and Jinja2 escapes it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

from forecast.results.summary import (
    DIVERGENCES_MAX,
    ESS_MIN,
    RHAT_MAX,
    BenchmarkComparison,
    Diagnostics,
    EventImpact,
    EvidenceEntry,
    Manifest,
    Summary,
)
from forecast.store.history import Record, ScoreRow

from . import charts
from .analysis import SensitivityView, WatchView, sensitivity_view, watch_view
from .track import ScoreLine, track_record
from .wep import arrow, bottom_line, format_interval, format_number, format_pct, format_pp, percent, wep_term
from .why import WhyView, why_view

TOP_DRIVERS = 5
MOVER_TITLE = 96  # characters of an event's title in the movers table (its full title is under New evidence)
MAX_NEW_ITEMS = 5  # keeps the briefing within four pages, even on a first run (every item is new)
MAX_WARNINGS = 8  # sampler warnings listed in the appendix; the rest are counted
MAX_EXCLUDED = 16  # ids of items dated after as_of listed in the appendix; the rest are counted
HASH_SHOWN = 12  # hex digits of each input's SHA-256 printed in the appendix (full value in a tooltip)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str | date) -> str:
    """'2025-11-26' -> '26 November 2025' (locale-independent)."""
    d = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def short_date(iso: str | date) -> str:
    """'2025-11-26' -> '26 Nov 2025'."""
    d = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"


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
class DriverPanelRow:
    """A latent driver in words and numbers."""

    id: str
    label: str
    sentence: str  # "diplomacy: rising"
    level: str
    change: str
    trend: str


@dataclass(frozen=True)
class HazardLine:
    transition: str
    events: str
    exposure: str
    rate: str


@dataclass(frozen=True)
class EvidenceRow:
    id: str
    date: str
    kind: str
    title: str
    source: str
    reliability: str
    lead_impact: str


@dataclass(frozen=True)
class InputFile:
    path: str
    digest: str  # full SHA-256, hex
    short: str  # first HASH_SHOWN hex digits


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    threshold: str
    ok: bool


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


@dataclass
class Briefing:
    """Everything the template needs."""

    title: str
    question_id: str
    run_id: str
    as_of: str
    as_of_long: str
    horizon: str
    horizon_long: str
    interval_pct: str
    outcomes: list[OutcomeRow]
    ranked: list[OutcomeRow]
    headline: str
    others: list[str]
    lead: OutcomeRow
    previous: dict[str, str] | None
    n_items: int
    n_new: int
    prob_chart: charts.Chart
    trend_chart: charts.Chart | None
    n_runs: int
    curves_chart: charts.Chart
    interval_sentence: str
    state_sentence: str
    drivers: list[DriverPanelRow]
    movers_chart: charts.Chart | None
    movers: list[MoverRow]
    n_events: int
    new_evidence: list[EvidenceRow]
    reference_class: str
    reference_mismatch: str
    reference_provenance: str
    reference_data_year: str
    hazards: list[HazardLine]
    checks: list[Check]
    diagnostics_failed: bool
    warnings: list[str]  # the first MAX_WARNINGS
    n_warnings: int
    sampler: dict[str, str]
    excluded: list[str]  # the first MAX_EXCLUDED
    n_excluded: int
    inputs: list[InputFile]
    versions: list[tuple[str, str]]
    command: str
    seed: str
    sensitivity: SensitivityView | None = None
    watch: WatchView | None = None
    why: WhyView | None = None  # none for runs made without the measured table
    crowd: Crowd | None = None  # none without benchmarks: the section is left out
    track_record: list[ScoreLine] = field(default_factory=list)  # mean scores of resolved questions


def _checks(diag: Diagnostics) -> list[Check]:
    rhat, ess, div = diag.rhat_max, diag.ess_bulk_min, diag.divergences
    return [
        Check(
            "R-hat (max)", format_number(rhat, ".3f"), f"≤ {RHAT_MAX}", not (math.isfinite(rhat) and rhat > RHAT_MAX)
        ),
        Check(
            "Bulk ESS (min)", format_number(ess, ",.0f"), f"≥ {ESS_MIN:.0f}", not (math.isfinite(ess) and ess < ESS_MIN)
        ),
        Check("Divergent transitions", format_number(div, "d"), f"= {DIVERGENCES_MAX}", div <= DIVERGENCES_MAX),
    ]


def _both(draw: Callable[[float], str]) -> charts.Chart:
    """Draw a chart at desktop/print width and at phone width, marked safe for the template."""
    return charts.Chart(wide=Markup(draw(charts.WIDTH_IN)), narrow=Markup(draw(charts.NARROW_IN)))


def _tint(value: float, scale: float) -> str:
    """Cell background: blue for a rise, orange for a fall, stronger for larger moves."""
    if scale <= 0 or value == 0:
        return ""
    alpha = min(abs(value) / scale, 1.0) * 0.45
    rgb = "31,95,168" if value > 0 else "194,87,26"
    return f"background-color: rgba({rgb},{alpha:.2f})"


def _outcome_rows(summary: Summary, prev: Record | None) -> list[OutcomeRow]:
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


def _probability_chart(summary: Summary, rows: list[OutcomeRow], prev: Record | None) -> charts.Chart:
    def previous(oid: str) -> float | None:
        return prev.outcomes[oid].mean if prev is not None and oid in prev.outcomes else None

    bars = [
        charts.Bar(r.label, r.mean, summary.outcomes[r.id].low, summary.outcomes[r.id].high, previous(r.id))
        for r in rows
    ]
    label = f"Previous run ({short_date(prev.as_of)})" if prev is not None else None
    return _both(lambda w: charts.probability_chart(bars, summary.interval, label, width=w))


def _trend_chart(summary: Summary, history: list[Record], rows: list[OutcomeRow]) -> charts.Chart | None:
    if not history:
        return None
    runs = [(date.fromisoformat(r.as_of), r.outcomes) for r in history] + [(summary.as_of, summary.outcomes)]

    def col(oid: str, key: str) -> list[float]:
        return [getattr(outcomes[oid], key) if oid in outcomes else math.nan for _, outcomes in runs]

    series = [charts.Series(r.label, col(r.id, "mean"), col(r.id, "low"), col(r.id, "high")) for r in rows]
    dates = [day for day, _ in runs]
    return _both(lambda w: charts.trend_chart(dates, series, summary.interval, width=w))


def _curves_chart(summary: Summary, rows: list[OutcomeRow]) -> charts.Chart:
    """Each outcome's chance on every week from the as-of date to the horizon (marked)."""
    points = summary.curves
    dates = [p.date for p in points[rows[0].id]]
    series = [
        charts.Series(
            r.label, [p.mean for p in points[r.id]], [p.low for p in points[r.id]], [p.high for p in points[r.id]]
        )
        for r in rows
    ]
    return _both(lambda w: charts.curves_chart(dates, series, summary.interval, summary.horizon, width=w))


def interval_sentence(interval: float) -> str:
    """What the interval in the bottom line covers, in one sentence a reader can use."""
    return (
        f"Each {percent(interval)}% interval is the range the chance itself could plausibly lie in, given how "
        "uncertain the reference-class hazards are, how strongly each driver moves them, and where the "
        "drivers stand now; it is not a margin of sampling error, and it does not cover a wrong model."
    )


def state_sentence(summary: Summary) -> str:
    record = summary.state
    label = {o.id: o.label for o in summary.question.outcomes}.get(record.state, record.state)
    if record.since is None:
        return f"State on {long_date(summary.as_of)}: {label.lower()} (no recorded transition)."
    return f"State on {long_date(summary.as_of)}: {label.lower()} since {long_date(record.since)} (item {record.item})."


def _driver_rows(summary: Summary) -> list[DriverPanelRow]:
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


def _movers(
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
    return table, _both(lambda w: charts.drivers_chart(moved, lead.label, width=w))


def _new_evidence(summary: Summary, prev_as_of: str | None, lead: OutcomeRow) -> tuple[list[EvidenceRow], int]:
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


def _hazard_lines(summary: Summary) -> list[HazardLine]:
    return [
        HazardLine(
            transition=t.replace("->", " → "),
            events="assumed" if h.events is None else str(h.events),
            exposure="" if h.exposure is None else f"{h.exposure:,.0f}",
            rate=f"{h.mean:.3f} ({h.low:.3f}–{h.high:.3f})",
        )
        for t, h in summary.reference.hazards.items()
    ]


def _sampler(diag: Diagnostics) -> dict[str, str]:
    return {
        "Method": diag.sampler,
        "Settings": f"{diag.chains} chains × {diag.draws} draws after {diag.tune} tuning steps; seed {diag.seed}",
    }


def build(
    summary: Summary, manifest: Manifest, history: list[Record], scores: list[ScoreRow] | None = None
) -> Briefing:
    """Build the briefing values. ``history``: earlier runs of the same question, oldest first.

    The diagnostics warning shows when any threshold fails (R-hat > 1.01, bulk ESS < 400,
    divergences > 0) or when the core reported warnings of its own. ``scores``: the history's
    scores of resolved questions, shown as the track record.
    """
    q = summary.question
    prev = history[-1] if history else None
    prev_as_of = prev.as_of if prev is not None else None
    rows = _outcome_rows(summary, prev)
    order = {r.id: k for k, r in enumerate(rows)}
    ranked = sorted(rows, key=lambda r: (-r.mean, order[r.id]))
    lead = ranked[0]
    movers, movers_chart = _movers(summary, rows, lead, prev_as_of)
    new_rows, n_new = _new_evidence(summary, prev_as_of, lead)
    diag = summary.diagnostics
    checks = _checks(diag)
    excluded = summary.excluded_after_as_of
    return Briefing(
        title=q.title,
        question_id=q.id,
        run_id=summary.run_id,
        as_of=summary.as_of.isoformat(),
        as_of_long=long_date(summary.as_of),
        horizon=summary.horizon.isoformat(),
        horizon_long=long_date(summary.horizon),
        interval_pct=f"{summary.interval * 100:.0f}%",
        outcomes=rows,
        ranked=ranked,
        headline=lead.sentence,
        others=[r.sentence for r in ranked[1:]],
        lead=lead,
        previous=None
        if prev is None
        else {"as_of": prev.as_of, "as_of_long": long_date(prev.as_of), "run_id": prev.run_id},
        n_items=len(summary.evidence_items),
        n_new=n_new,
        prob_chart=_probability_chart(summary, rows, prev),
        trend_chart=_trend_chart(summary, history, rows),
        n_runs=len(history) + 1,
        curves_chart=_curves_chart(summary, rows),
        interval_sentence=interval_sentence(summary.interval),
        state_sentence=state_sentence(summary),
        drivers=_driver_rows(summary),
        movers_chart=movers_chart,
        movers=movers,
        n_events=len(summary.evidence),
        new_evidence=new_rows,
        reference_class=summary.reference.reference_class.replace("_", " "),
        reference_mismatch=format_number(summary.reference.mismatch, "g"),
        reference_provenance=q.reference.provenance or "not recorded",
        reference_data_year=str(summary.reference.data_last_year),
        hazards=_hazard_lines(summary),
        checks=checks,
        diagnostics_failed=any(not c.ok for c in checks) or bool(diag.warnings),
        warnings=diag.warnings[:MAX_WARNINGS],
        n_warnings=len(diag.warnings),
        sampler=_sampler(diag),
        excluded=excluded[:MAX_EXCLUDED],
        n_excluded=len(excluded),
        inputs=[InputFile(path, digest, digest[:HASH_SHOWN]) for path, digest in sorted(manifest.inputs.items())],
        versions=list(manifest.versions.items()),
        command=manifest.command,
        seed=str(manifest.seed),
        sensitivity=sensitivity_view(summary),
        watch=watch_view(summary),
        why=why_view(summary),
        crowd=crowd(summary),
        track_record=track_record(scores or []),
    )


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
    return _both(lambda w: charts.crowd_chart(dates, lines, summary.interval, width=w))


def crowd(summary: Summary) -> Crowd | None:
    """The crowd section, or none when the run has no benchmarks."""
    if not summary.benchmarks:
        return None
    rows = [
        CrowdRow(b.id, crowd_sentence(b, summary.as_of), b.source, b.question, b.url, b.via, b.match)
        for b in summary.benchmarks
    ]
    return Crowd(_crowd_chart(summary), rows, list(MATCH_WORDS.items()))
