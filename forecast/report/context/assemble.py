"""The briefing as a whole: every section's values gathered into one :class:`Briefing`."""

from __future__ import annotations

from dataclasses import dataclass, field

from forecast.results.summary import (
    Manifest,
    Summary,
)
from forecast.store.history import Record, ScoreRow

from .. import charts
from ..analysis import SensitivityView, WatchView, sensitivity_view, watch_view
from ..track import ScoreLine, track_record
from ..wep import format_number, format_pct
from ..why import WhyView, why_view
from .appendix import HASH_SHOWN, MAX_EXCLUDED, MAX_WARNINGS, Check, InputFile, sampler_checks, sampler_lines
from .common import long_date
from .crowd_view import Crowd, crowd
from .curves import DriverPanelRow, curves_chart, driver_rows, state_sentence
from .movers import EvidenceRow, MoverRow, movers_table, new_evidence_rows
from .outcomes import OutcomeRow, interval_sentence, outcome_rows, probability_chart, trend_chart
from .reference import HazardLine, hazard_lines


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
    shared_points: list[str]  # "the point on <day> is question <id>'s forecast", one per earlier question
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
    rows = outcome_rows(summary, prev)
    order = {r.id: k for k, r in enumerate(rows)}
    ranked = sorted(rows, key=lambda r: (-r.mean, order[r.id]))
    lead = ranked[0]
    movers, movers_chart = movers_table(summary, rows, lead, prev_as_of)
    new_rows, n_new = new_evidence_rows(summary, prev_as_of, lead)
    diag = summary.diagnostics
    checks = sampler_checks(diag)
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
        prob_chart=probability_chart(summary, rows, prev),
        trend_chart=trend_chart(summary, history, rows),
        n_runs=len(history) + 1,
        curves_chart=curves_chart(summary, rows),
        shared_points=shared_points(summary),
        interval_sentence=interval_sentence(summary.interval),
        state_sentence=state_sentence(summary),
        drivers=driver_rows(summary),
        movers_chart=movers_chart,
        movers=movers,
        n_events=len(summary.evidence),
        new_evidence=new_rows,
        reference_class=summary.reference.reference_class.replace("_", " "),
        reference_mismatch=format_number(summary.reference.mismatch, "g"),
        reference_provenance=q.reference.provenance or "not recorded",
        reference_data_year=str(summary.reference.data_last_year),
        hazards=hazard_lines(summary),
        checks=checks,
        diagnostics_failed=any(not c.ok for c in checks) or bool(diag.warnings),
        warnings=diag.warnings[:MAX_WARNINGS],
        n_warnings=len(diag.warnings),
        sampler=sampler_lines(diag),
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


def shared_points(summary: Summary) -> list[str]:
    """One sentence per question fitted with this one whose horizon is earlier: its forecast is on our curve."""
    lead = max(summary.outcomes, key=lambda k: summary.outcomes[k].mean)
    labels = {o.id: o.label for o in summary.question.outcomes}
    out = []
    for qid, day in summary.shared_horizons.items():
        points = [p for p in summary.curves[lead] if p.date == day]
        if points:
            chance = format_pct(points[0].mean)
            out.append(
                f"The point on {long_date(day)} ({labels[lead].lower()} {chance}) is the forecast of question "
                f"{qid}: the same model, evidence and fit, read on its horizon."
            )
    return out
