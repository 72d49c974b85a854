"""What is on record and what is read from it: ``history``, ``report``, ``resolve``, ``score``, ``archive``,
``schema``."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.table import Table

from forecast.cli.options import BenchmarksOpt, OutOpt, PriorsOpt, QuestionOpt
from forecast.cli.shell import err, out, reports_problems
from forecast.inputs.load import load_kinds, load_question
from forecast.inputs.schema import Question, evidence_file_schema
from forecast.report.wep import format_number
from forecast.results.summary import Estimate, Manifest, Summary
from forecast.store.history import HistoryStore


class SchemaName(StrEnum):
    evidence = "evidence"
    question = "question"
    summary = "summary"
    manifest = "manifest"


@reports_problems
def schema(name: Annotated[SchemaName, typer.Argument(help="Which file's JSON Schema to print.")]) -> None:
    """Print the JSON Schema of an evidence file, the question file, summary.json or manifest.json."""
    document: dict[str, Any]
    if name is SchemaName.evidence:
        document = evidence_file_schema(load_kinds(None))
    else:
        models: dict[str, type[BaseModel]] = {"question": Question, "summary": Summary, "manifest": Manifest}
        document = models[name.value].model_json_schema()
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@reports_problems
def history(
    out_dir: OutOpt = Path("reports"),
    question_id: Annotated[
        str | None, typer.Option("--question", help="Only this question's runs (default: every question's).")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--csv", help="Write the history as CSV to this file (- for stdout).")
    ] = None,
) -> None:
    """Print the recorded runs (as-of date, forecast, diagnostics) per question, or export them as CSV."""
    store = HistoryStore.beside(out_dir)
    records = store.records(question_id)
    if target is not None:
        _write_csv([r.flat() for r in records], target)
        if target != "-":
            err.print(f"Wrote {target} ({len(records)} runs)")
        return
    if not records:
        which = f" of {question_id}" if question_id else ""
        out.print(f"No runs{which} recorded in {store.path}")
        return
    for qid in dict.fromkeys(r.question_id for r in records):
        rows = [r for r in records if r.question_id == qid]
        table = Table(
            title=f"{qid}: {len(rows)} run(s) recorded in {store.path}",
            caption=f"Outcomes: mean % ({rows[-1].interval:.0%} interval)",
        )
        outcomes = list(dict.fromkeys(k for r in rows for k in r.outcomes))
        for column in ("as_of", "run_id", *outcomes, "rhat_max", "ess_bulk_min", "divergences"):
            table.add_column(
                column,
                justify="left" if column in ("as_of", "run_id") else "right",
                no_wrap=column in ("as_of", "run_id"),
            )
        for r in rows:
            diag = r.diagnostics
            table.add_row(
                r.as_of,
                r.run_id,
                *[_estimate(r.outcomes.get(k)) for k in outcomes],
                format_number(diag.rhat_max, ".3f"),
                format_number(diag.ess_bulk_min, ".0f"),
                format_number(diag.divergences, "d"),
            )
        out.print(table)


def _write_csv(rows: list[dict[str, Any]], target: str) -> None:
    """Rows as CSV, columns in first-seen order, to a file or to stdout for ``-``."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if target == "-":
        _csv_rows(sys.stdout, rows, columns)
        return
    with open(target, "w", newline="", encoding="utf-8") as handle:
        _csv_rows(handle, rows, columns)


def _csv_rows(handle: Any, rows: list[dict[str, Any]], columns: list[str]) -> None:
    writer = csv.DictWriter(handle, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _estimate(value: Estimate | None) -> str:
    return "" if value is None else f"{value.mean:.1%} ({value.low * 100:.1f}-{value.high * 100:.1f})"


@reports_problems
def report(run_dir: Annotated[Path, typer.Argument(help="A run folder holding summary.json.")]) -> None:
    """Re-render briefing.html and briefing.pdf from a run's saved files (no sampling)."""
    from forecast.report.briefing import render_briefing  # slow: matplotlib, WeasyPrint (see forecast.cli)

    html, pdf = render_briefing(run_dir)
    out.print(f"Wrote {html} and {pdf}")


@reports_problems
def resolve(
    outcome: Annotated[str, typer.Option(help="The observed state: one of the question's outcome ids.")],
    day: Annotated[datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="The date it was observed on.")],
    source: Annotated[str | None, typer.Option(help="Where the state was read (a URL).")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
    priors: PriorsOpt = Path("priors"),
    question_id: QuestionOpt = None,
    out_dir: OutOpt = Path("reports"),
    benchmarks: BenchmarksOpt = Path("benchmarks"),
    force: Annotated[bool, typer.Option(help="Replace another outcome recorded for this date.")] = False,
) -> None:
    """Record the state observed on a date; the state on the horizon resolves the question."""
    from forecast.report.archive import refresh_archive  # slow: matplotlib (see forecast.cli)
    from forecast.store.resolutions import ResolutionConflict, record_resolution, resolutions_path

    question = load_question(priors, question_id)
    try:
        record_resolution(out_dir, question, outcome, day.date(), source=source, note=note, force=force)
    except ResolutionConflict as conflict:
        err.print(f"[red]{conflict}[/red]", highlight=False)
        raise typer.Exit(1) from None
    final = " (the horizon: the question is resolved)" if day.date() == question.horizon else ""
    out.print(f"Recorded {outcome} on {day.date()}{final} in {resolutions_path(out_dir, question.id)}")
    refresh_archive(out_dir, benchmarks)


@reports_problems
def score(
    out_dir: OutOpt = Path("reports"),
    priors: PriorsOpt = Path("priors"),
    question_id: QuestionOpt = None,
    benchmarks: BenchmarksOpt = Path("benchmarks"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score every recorded run (and outside forecast) of a resolved question; record the scores."""
    from forecast.analysis.scorecard import NotResolved, score_question
    from forecast.report.archive import refresh_archive  # slow: matplotlib (see forecast.cli)

    try:
        card = score_question(out_dir, priors, benchmarks, question_id)
    except NotResolved as missing:
        err.print(f"[red]{missing}[/red]", highlight=False)
        raise typer.Exit(1) from None
    refresh_archive(out_dir, benchmarks)
    if as_json:
        typer.echo(card.model_dump_json(indent=2))
        return
    print_scorecard(card)


def print_scorecard(card: Any) -> None:
    """The scores of each run and outside forecast, and their means."""
    res = card.resolution
    table = Table(
        title=f"{card.question['id']}: resolved {res['outcome']} on {res['date']}",
        caption="Brier, RPS: lower is better; log: ln p (p clipped at 1e-12), higher is better; "
        "skill vs the reference class (log: gain in nats)",
    )
    for column in (
        "as_of",
        "brier",
        "log",
        "rps",
        "ref brier",
        "ref log",
        "ref rps",
        "skill brier",
        "gain log",
        "skill rps",
    ):
        table.add_column(column, justify="left" if column == "as_of" else "right", no_wrap=column == "as_of")
    for r in card.runs:
        table.add_row(
            r.as_of,
            *[_num(getattr(r, k)) for k in ("brier", "log_score", "rps")],
            *[_num(r.baseline[k]) for k in ("brier", "log_score", "rps")],
            *[_num(r.skill[k], "+.3f") for k in ("brier", "log_score", "rps")],
        )
    m = card.mean
    table.add_row(
        f"mean of {m['runs']}",
        *[_num(m[k]) for k in ("brier", "log_score", "rps")],
        *[_num(m["baseline"][k]) for k in ("brier", "log_score", "rps")],
        *[_num(m["skill"][k], "+.3f") for k in ("brier", "log_score", "rps")],
        style="bold",
    )
    out.print(table)
    if card.benchmarks:
        marks = Table(title="Outside forecasts (binary: P(one of their outcomes on their date))")
        for column in ("id", "seen", "by", "theirs", "brier", "log", "our run", "ours", "our brier", "our log"):
            marks.add_column(column)
        for b in card.benchmarks:
            marks.add_row(
                b.id,
                b.seen.isoformat(),
                b.by.isoformat(),
                f"{b.probability:.1%}",
                _num(b.brier),
                _num(b.log_score),
                b.run or "none within a week",
                "" if b.run_probability is None else f"{b.run_probability:.1%}",
                _num(b.run_scores["brier"]),
                _num(b.run_scores["log_score"]),
            )
        out.print(marks)


def _num(value: float | None, fmt: str = ".3f") -> str:
    return "" if value is None else format(value, fmt)


@reports_problems
def archive(
    out_dir: OutOpt = Path("reports"),
    benchmarks: BenchmarksOpt = Path("benchmarks"),
) -> None:
    """Rebuild <out>/index.html: every run, the trend with outside forecasts, and the scores."""
    from forecast.report.archive import write_archive  # slow: matplotlib (see forecast.cli)

    out.print(f"Wrote {write_archive(out_dir, benchmarks)}")
