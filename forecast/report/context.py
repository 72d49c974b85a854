"""Turn a run's summary/manifest (plus earlier runs) into the plain values the template shows.

Pure: no file access, no clock. Everything the reader sees is formatted here, so the template
only lays it out and Jinja2 escapes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from forecast.results.summary import DIVERGENCES_MAX, ESS_MIN, RHAT_MAX, Diagnostics, EvidenceEntry, Manifest, Summary
from forecast.store.history import Record

from . import charts
from .wep import arrow, bottom_line, format_interval, format_number, format_pct, format_pp, wep_term

TOP_DRIVERS = 8
MAX_NEW_ITEMS = 8  # keeps the briefing within four pages, even on a first run (every item is new)
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
class DriverRow:
    id: str
    title: str
    date: str
    kind: str
    source: str
    cells: list[ImpactCell]
    new: bool = False  # dated after the previous run's as_of


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
    drivers_chart: charts.Chart | None
    drivers: list[DriverRow]
    new_evidence: list[EvidenceRow]
    prior_strength: str
    prior_provenance: str
    checks: list[Check]
    diagnostics_failed: bool
    warnings: list[str]  # the first MAX_WARNINGS
    n_warnings: int
    sampler: dict[str, str]
    log_ml: list[tuple[str, str]]
    excluded: list[str]  # the first MAX_EXCLUDED
    n_excluded: int
    inputs: list[InputFile]
    versions: list[tuple[str, str]]
    command: str
    seed: str


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
    prior_rates = summary.question.prior.base_rates
    rows: list[OutcomeRow] = []
    for i, o in enumerate(summary.question.outcomes):
        est = summary.outcomes[o.id]
        change: dict[str, str] = {}
        if prev is not None and o.id in prev.outcomes:
            pm = prev.outcomes[o.id].mean
            d = est.mean - pm
            change = {
                "prev_pct": format_pct(pm),
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
                prior_pct=format_pct(prior_rates[o.id]),
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


def _size(impact: dict[str, float]) -> float:
    return max((abs(v) for v in impact.values()), default=0.0)


def _is_new(item: EvidenceEntry, prev_as_of: str | None) -> bool:
    return prev_as_of is None or item.date.isoformat() > prev_as_of


def _drivers(
    summary: Summary, rows: list[OutcomeRow], lead: OutcomeRow, prev_as_of: str | None = None
) -> tuple[list[DriverRow], charts.Chart | None]:
    """Top items by largest |impact| on any outcome, shown in order of their effect on the lead."""
    items, impacts = summary.evidence_items, summary.evidence

    def size(k: str) -> float:
        return _size(impacts[k])

    top = sorted((k for k in impacts if size(k) > 0 and k in items), key=lambda k: (-size(k), k))[:TOP_DRIVERS]
    top.sort(key=lambda k: (-impacts[k].get(lead.id, 0.0), k))
    scale = max((size(k) for k in top), default=0.0)
    table = [
        DriverRow(
            id=k,
            title=items[k].title,
            date=items[k].date.isoformat(),
            kind=items[k].kind.replace("_", " "),
            source=items[k].source,
            new=prev_as_of is not None and _is_new(items[k], prev_as_of),
            cells=[
                ImpactCell(format_pp(impacts[k].get(r.id, 0.0)), _tint(impacts[k].get(r.id, 0.0), scale)) for r in rows
            ],
        )
        for k in top
    ]
    if not top:
        return table, None
    moved = [charts.Driver(d.title, impacts[d.id].get(lead.id, 0.0)) for d in table]
    return table, _both(lambda w: charts.drivers_chart(moved, lead.label, width=w))


def _new_evidence(summary: Summary, prev_as_of: str | None, lead: OutcomeRow) -> tuple[list[EvidenceRow], int]:
    """Items dated after the previous run's as_of (all items on a first run), newest first.

    Returns the rows shown and the number of new items. When there are more than
    ``MAX_NEW_ITEMS``, the ones with the largest effect on any outcome are shown.
    """
    items, impacts = summary.evidence_items, summary.evidence
    new = [k for k, it in items.items() if _is_new(it, prev_as_of)]
    total = len(new)
    if total > MAX_NEW_ITEMS:
        new = sorted(new, key=lambda k: (-_size(impacts.get(k, {})), k))[:MAX_NEW_ITEMS]
    new.sort(key=lambda k: (items[k].date, k), reverse=True)
    return [
        EvidenceRow(
            id=k,
            date=items[k].date.isoformat(),
            kind=items[k].kind.replace("_", " "),
            title=items[k].title,
            source=items[k].source,
            reliability=f"{items[k].reliability:.2f}",
            lead_impact=format_pp(impacts.get(k, {}).get(lead.id, 0.0)),
        )
        for k in new
    ], total


def _sampler(diag: Diagnostics) -> dict[str, str]:
    return {
        "Method": diag.sampler,
        "Settings": f"{diag.chains} chains × {diag.draws} draws after {diag.tune} tuning steps; seed {diag.seed}",
    }


def build(summary: Summary, manifest: Manifest, history: list[Record]) -> Briefing:
    """Build the briefing values. ``history``: earlier runs of the same question, oldest first.

    The diagnostics warning shows when any threshold fails (R-hat > 1.01, bulk ESS < 400,
    divergences > 0) or when the core reported warnings of its own.
    """
    q = summary.question
    prev = history[-1] if history else None
    prev_as_of = prev.as_of if prev is not None else None
    rows = _outcome_rows(summary, prev)
    order = {r.id: k for k, r in enumerate(rows)}
    ranked = sorted(rows, key=lambda r: (-r.mean, order[r.id]))
    lead = ranked[0]
    drivers, drivers_chart = _drivers(summary, rows, lead, prev_as_of)
    new_rows, n_new = _new_evidence(summary, prev_as_of, lead)
    diag = summary.diagnostics
    checks = _checks(diag)
    labels = {r.id: r.label for r in rows}
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
        drivers_chart=drivers_chart,
        drivers=drivers,
        new_evidence=new_rows,
        prior_strength=format_number(q.prior.strength, "g"),
        prior_provenance=q.prior.provenance,
        checks=checks,
        diagnostics_failed=any(not c.ok for c in checks) or bool(diag.warnings),
        warnings=diag.warnings[:MAX_WARNINGS],
        n_warnings=len(diag.warnings),
        sampler=_sampler(diag),
        log_ml=[(labels.get(k, k), format_number(v, ".2f")) for k, v in diag.log_marginal_likelihood.items()],
        excluded=excluded[:MAX_EXCLUDED],
        n_excluded=len(excluded),
        inputs=[InputFile(path, digest, digest[:HASH_SHOWN]) for path, digest in sorted(manifest.inputs.items())],
        versions=list(manifest.versions.items()),
        command=manifest.command,
        seed=str(manifest.seed),
    )
