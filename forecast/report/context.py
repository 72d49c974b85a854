"""Turn a run's summary/manifest (plus earlier runs) into the plain values the template shows.

Pure: no file access, no clock. Everything the reader sees is formatted here, so the template
only lays it out and Jinja2 escapes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from . import charts
from .wep import arrow, bottom_line, format_interval, format_pct, format_pp, wep_term

SCHEMA_VERSION = 1
RHAT_MAX = 1.01
ESS_MIN = 400.0
DIVERGENCES_MAX = 0
TOP_DRIVERS = 8
MAX_NEW_ITEMS = 8  # keeps the briefing within four pages, even on a first run (every item is new)
MAX_WARNINGS = 8  # sampler warnings listed in the appendix; the rest are counted
MAX_EXCLUDED = 16  # ids of items dated after as_of listed in the appendix; the rest are counted
HASH_SHOWN = 12  # hex digits of each input's SHA-256 printed in the appendix (full value in a tooltip)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(iso: str) -> str:
    """'2025-11-26' -> '26 November 2025' (locale-independent)."""
    d = date.fromisoformat(str(iso))
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def short_date(iso: str) -> str:
    """'2025-11-26' -> '26 Nov 2025'."""
    d = date.fromisoformat(str(iso))
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


def _num(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return format(value, fmt)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _checks(diag: dict[str, Any]) -> list[Check]:
    rhat, ess, div = diag.get("rhat_max"), diag.get("ess_bulk_min"), diag.get("divergences")
    return [
        Check("R-hat (max)", _num(rhat, ".3f"), f"≤ {RHAT_MAX}",
              not (_finite(rhat) and rhat > RHAT_MAX)),
        Check("Bulk ESS (min)", _num(ess, ",.0f"), f"≥ {ESS_MIN:.0f}",
              not (_finite(ess) and ess < ESS_MIN)),
        Check("Divergent transitions", _num(div, "d") if isinstance(div, int) else _num(div, ".0f"),
              f"= {DIVERGENCES_MAX}", not (_finite(div) and div > DIVERGENCES_MAX)),
    ]


def _both(draw: Callable[[float], str]) -> charts.Chart:
    """Draw a chart at desktop/print width and at phone width, marked safe for the template."""
    return charts.Chart(wide=Markup(draw(charts.WIDTH_IN)), narrow=Markup(draw(charts.NARROW_IN)))


def _reliability(value: Any) -> str:
    if isinstance(value, (int, float)):
        return f"{value:.2f}"
    return str(value)


def _tint(value: float, scale: float) -> str:
    """Cell background: blue for a rise, orange for a fall, stronger for larger moves."""
    if scale <= 0 or value == 0:
        return ""
    alpha = min(abs(value) / scale, 1.0) * 0.45
    rgb = "31,95,168" if value > 0 else "194,87,26"
    return f"background-color: rgba({rgb},{alpha:.2f})"


def _outcome_rows(summary: dict[str, Any], prev: dict[str, Any] | None,
                  interval: float) -> list[OutcomeRow]:
    q = summary["question"]
    prior_rates = q.get("prior", {}).get("base_rates", {})
    rows: list[OutcomeRow] = []
    for i, o in enumerate(q["outcomes"]):
        est = summary["outcomes"][o["id"]]
        mean, low, high = float(est["mean"]), float(est["low"]), float(est["high"])
        change: dict[str, Any] = {}
        if prev is not None and o["id"] in prev.get("outcomes", {}):
            pm = float(prev["outcomes"][o["id"]]["mean"])
            d = mean - pm
            change = {"prev_pct": format_pct(pm), "delta": format_pp(d), "arrow": arrow(d),
                      "trend": {"▲": "up", "▼": "down"}.get(arrow(d), "flat")}
        rows.append(OutcomeRow(
            id=o["id"], label=o["label"],
            short=str(o.get("short") or o["id"].replace("_", " ").replace("-", " ").capitalize()),
            definition=o.get("definition", ""),
            colour=charts.OUTCOME_COLOURS[i % len(charts.OUTCOME_COLOURS)],
            mean=mean, pct=format_pct(mean), interval=format_interval(low, high),
            wep=wep_term(mean), sentence=bottom_line(o["label"], mean, low, high, interval),
            prior_pct=format_pct(float(prior_rates[o["id"]])) if o["id"] in prior_rates else "n/a",
            **change))
    return rows


def _probability_chart(summary: dict[str, Any], rows: list[OutcomeRow], prev: dict[str, Any] | None,
                       interval: float) -> charts.Chart:
    def previous(oid: str) -> float | None:
        if prev is None or oid not in prev.get("outcomes", {}):
            return None
        return float(prev["outcomes"][oid]["mean"])

    bars = [charts.Bar(r.label, r.mean, float(summary["outcomes"][r.id]["low"]),
                       float(summary["outcomes"][r.id]["high"]), previous(r.id)) for r in rows]
    label = f"Previous run ({short_date(prev['as_of'])})" if prev is not None else None
    return _both(lambda w: charts.probability_chart(bars, interval, label, width=w))


def _trend_chart(runs: list[dict[str, Any]], rows: list[OutcomeRow], interval: float) -> charts.Chart | None:
    if len(runs) < 2:
        return None

    def col(oid: str, key: str) -> list[float]:
        return [float(run["outcomes"][oid][key]) if oid in run["outcomes"] else math.nan for run in runs]

    series = [charts.Series(r.label, col(r.id, "mean"), col(r.id, "low"), col(r.id, "high")) for r in rows]
    dates = [date.fromisoformat(str(run["as_of"])) for run in runs]
    return _both(lambda w: charts.trend_chart(dates, series, interval, width=w))


def impacts_by_item(summary: dict[str, Any]) -> dict[str, dict[str, float]]:
    """``summary["evidence"]`` as item -> outcome -> impact.

    Also accepts the transposed layout (outcome -> item -> impact) that early core versions wrote.
    """
    raw: dict[str, dict[str, Any]] = summary.get("evidence", {}) or {}
    outcome_ids = {o["id"] for o in summary["question"]["outcomes"]}
    inner = {k for v in raw.values() for k in v}
    if raw and set(raw) <= outcome_ids and not inner <= outcome_ids:
        return {item: {o: float(raw[o][item]) for o in raw if item in raw[o]} for item in sorted(inner)}
    return {item: {o: float(v) for o, v in row.items()} for item, row in raw.items()}


def _size(impact: dict[str, float]) -> float:
    return max((abs(v) for v in impact.values()), default=0.0)


def _is_new(item: dict[str, Any], prev_as_of: str | None) -> bool:
    return prev_as_of is None or str(item.get("date", "")) > prev_as_of


def _drivers(summary: dict[str, Any], rows: list[OutcomeRow], lead: OutcomeRow,
             prev_as_of: str | None = None) -> tuple[list[DriverRow], charts.Chart | None]:
    """Top items by largest |impact| on any outcome, shown in order of their effect on the lead."""
    items: dict[str, dict[str, Any]] = summary.get("evidence_items", {}) or {}
    impacts = impacts_by_item(summary)

    def size(k: str) -> float:
        return _size(impacts[k])

    top = sorted((k for k in impacts if size(k) > 0), key=lambda k: (-size(k), k))[:TOP_DRIVERS]
    top.sort(key=lambda k: (-float(impacts[k].get(lead.id, 0.0)), k))
    scale = max((size(k) for k in top), default=0.0)
    table = [DriverRow(
        id=k, title=str(items.get(k, {}).get("title", k)), date=str(items.get(k, {}).get("date", "")),
        kind=str(items.get(k, {}).get("kind", "")).replace("_", " "),
        source=str(items.get(k, {}).get("source", "")),
        new=prev_as_of is not None and _is_new(items.get(k, {}), prev_as_of),
        cells=[ImpactCell(format_pp(float(impacts[k].get(r.id, 0.0))),
                          _tint(float(impacts[k].get(r.id, 0.0)), scale)) for r in rows])
        for k in top]
    if not top:
        return table, None
    moved = [charts.Driver(d.title, float(impacts[d.id].get(lead.id, 0.0))) for d in table]
    return table, _both(lambda w: charts.drivers_chart(moved, lead.label, width=w))


def _new_evidence(summary: dict[str, Any], prev_as_of: str | None,
                  lead: OutcomeRow) -> tuple[list[EvidenceRow], int]:
    """Items dated after the previous run's as_of (all items on a first run), newest first.

    Returns the rows shown and the number of new items. When there are more than
    ``MAX_NEW_ITEMS``, the ones with the largest effect on any outcome are shown.
    """
    items: dict[str, dict[str, Any]] = summary.get("evidence_items", {}) or {}
    impacts = impacts_by_item(summary)
    new = [k for k, it in items.items() if _is_new(it, prev_as_of)]
    total = len(new)
    if total > MAX_NEW_ITEMS:
        new = sorted(new, key=lambda k: (-_size(impacts.get(k, {})), k))[:MAX_NEW_ITEMS]
    new.sort(key=lambda k: (str(items[k].get("date", "")), k), reverse=True)
    return [EvidenceRow(
        id=k, date=str(items[k].get("date", "")), kind=str(items[k].get("kind", "")).replace("_", " "),
        title=str(items[k].get("title", k)), source=str(items[k].get("source", "")),
        reliability=_reliability(items[k].get("reliability", "")),
        lead_impact=format_pp(float(impacts.get(k, {}).get(lead.id, 0.0)))) for k in new], total


def _sampler(diag: dict[str, Any], manifest: dict[str, Any]) -> dict[str, str]:
    cfg = manifest.get("sampler", {}) or {}
    chains = diag.get("chains", cfg.get("chains", "n/a"))
    draws = diag.get("draws", cfg.get("draws", "n/a"))
    tune = diag.get("tune", cfg.get("tune", "n/a"))
    return {
        "Method": str(diag.get("sampler", "not recorded")),
        "Settings": f"{chains} chains × {draws} draws after {tune} tuning steps; "
                    f"seed {diag.get('seed', manifest.get('seed', 'n/a'))}",
    }


def build(summary: dict[str, Any], manifest: dict[str, Any],
          history: list[dict[str, Any]]) -> Briefing:
    """Build the briefing values. ``history``: earlier runs of the same question, oldest first.

    The diagnostics warning shows when any threshold fails (R-hat > 1.01, bulk ESS < 400,
    divergences > 0) or when the core reported warnings of its own.
    """
    version = summary.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"summary.json: schema_version {version!r} is not supported "
                         f"(this report reads version {SCHEMA_VERSION})")
    q = summary["question"]
    interval = float(summary.get("interval", 0.9))
    prev = history[-1] if history else None
    prev_as_of = str(prev["as_of"]) if prev is not None else None
    rows = _outcome_rows(summary, prev, interval)
    order = {r.id: k for k, r in enumerate(rows)}
    ranked = sorted(rows, key=lambda r: (-r.mean, order[r.id]))
    lead = ranked[0]
    drivers, drivers_chart = _drivers(summary, rows, lead, prev_as_of)
    new_rows, n_new = _new_evidence(summary, prev_as_of, lead)
    runs = [*history, summary]

    diag = summary.get("diagnostics", {}) or {}
    checks = _checks(diag)
    warnings = [str(w) for w in diag.get("warnings", []) or []]
    labels = {r.id: r.label for r in rows}
    log_ml = [(labels.get(k, k), _num(v, ".2f"))
              for k, v in (diag.get("log_marginal_likelihood", {}) or {}).items()]
    prior = q.get("prior", {}) or {}
    excluded = [str(x) for x in summary.get("excluded_after_as_of", []) or []]
    horizon = str(summary.get("horizon") or q.get("horizon"))
    return Briefing(
        title=str(q.get("title") or q["id"]), question_id=str(q["id"]),
        run_id=str(summary.get("run_id", "")),
        as_of=str(summary["as_of"]), as_of_long=long_date(summary["as_of"]),
        horizon=horizon, horizon_long=long_date(horizon),
        interval_pct=f"{interval * 100:.0f}%",
        outcomes=rows, ranked=ranked, headline=lead.sentence,
        others=[r.sentence for r in ranked[1:]], lead=lead,
        previous=None if prev is None or prev_as_of is None else {
            "as_of": prev_as_of, "as_of_long": long_date(prev_as_of),
            "run_id": str(prev.get("run_id", ""))},
        n_items=len(summary.get("evidence_items", {}) or {}), n_new=n_new,
        prob_chart=_probability_chart(summary, rows, prev, interval),
        trend_chart=_trend_chart(runs, rows, interval), n_runs=len(runs),
        drivers_chart=drivers_chart, drivers=drivers, new_evidence=new_rows,
        prior_strength=_num(prior.get("strength"), "g"),
        prior_provenance=str(prior.get("provenance", "not recorded")),
        checks=checks, diagnostics_failed=any(not c.ok for c in checks) or bool(warnings),
        warnings=warnings[:MAX_WARNINGS], n_warnings=len(warnings),
        sampler=_sampler(diag, manifest), log_ml=log_ml,
        excluded=excluded[:MAX_EXCLUDED], n_excluded=len(excluded),
        inputs=[InputFile(path, digest, digest[:HASH_SHOWN])
                for path, digest in sorted((str(k), str(v))
                                           for k, v in (manifest.get("inputs", {}) or {}).items())],
        versions=[(str(k), str(v)) for k, v in (manifest.get("versions", {}) or {}).items()],
        command=str(manifest.get("command", "not recorded")),
        seed=str(manifest.get("seed", diag.get("seed", "n/a"))),
    )
