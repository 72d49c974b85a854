"""Fitting the model: ``run`` (one as-of date), ``backfill`` (a range of dates), ``whatif`` (evidence changed).

The three take the same run options (:class:`forecast.cli.options.RunOptions`).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from forecast.cli.options import (
    BackfillSeedOpt,
    BenchmarksOpt,
    PortfolioQuestionOpt,
    RunOptions,
    SensitivityOpt,
    run_options,
)
from forecast.cli.shell import command_line, day_or_today, err, out, quiet_pymc, reports_problems
from forecast.report.wep import format_number
from forecast.results.summary import Summary
from forecast.store.history import HISTORY_NAME
from forecast.store.runs import migrate, out_of


@reports_problems
@run_options(question=PortfolioQuestionOpt)
def run(
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Use evidence dated on or before this day (default: today)."),
    ] = None,
    *,
    options: RunOptions,
    force: Annotated[bool, typer.Option(help="Replace an existing run for this date.")] = False,
    briefing: Annotated[bool, typer.Option(help="Render briefing.html and briefing.pdf.")] = True,
    sensitivity: SensitivityOpt = True,
    benchmarks: BenchmarksOpt = Path("benchmarks"),
) -> None:
    """Run the forecast of every question in --priors (or --question) and write <out>/<question>/<as-of>/."""
    from forecast.pipeline import run_questions  # slow: PyMC, PyTensor, ArviZ (see forecast.cli)

    quiet_pymc()
    config = options.config(
        day_or_today(as_of), force=force, briefing=briefing, sensitivity=sensitivity, benchmarks=benchmarks
    )
    report_migration(migrate(config.out))
    weeks = run_questions(config, command=command_line())
    while True:
        with err.status("Loading inputs, compiling the model, sampling (NUTS) and forecasting each week..."):
            week = next(weeks, None)
        if week is None:
            break
        if week.summary is None or week.run_dir is None:
            err.print(f"{week.question_id}: skipped: {week.skipped}", highlight=False)
            continue
        print_summary(week.summary, week.run_dir)


def report_migration(lines: list[str]) -> None:
    """Say what moving a one-question tree into the per-question layout did (nothing: silent)."""
    if lines:
        err.print(f"Moved the one-question layout into <out>/<question>/<as-of>/ ({len(lines)} run folder(s)):")
        for line in lines:
            err.print(f"  {line}", highlight=False, markup=False)


def print_summary(summary: Summary, run_dir: Path) -> None:
    """Forecast table, what was left out, and every sampler warning."""
    labels = {o.id: o.label for o in summary.question.outcomes}
    excluded = summary.excluded_after_as_of
    out.print(
        f"{len(summary.evidence_items)} items ({len(summary.evidence)} events) reported by {summary.as_of} used; "
        f"{len(excluded)} reported after it left out"
    )
    if excluded:
        out.print("  left out: " + ", ".join(excluded), markup=False)
    table = Table(title=f"Forecast for {summary.horizon} (run {summary.run_id})")
    for column in ("outcome", "mean", f"{summary.interval:.0%} interval"):
        table.add_column(column)
    for key, value in summary.outcomes.items():
        table.add_row(labels[key], f"{value.mean:.1%}", f"{value.low:.1%} - {value.high:.1%}")
    out.print(table)
    diag = summary.diagnostics
    out.print(
        f"R-hat max {format_number(diag.rhat_max, '.3f')}, ESS bulk min {format_number(diag.ess_bulk_min, '.0f')}, "
        f"divergences {diag.divergences}"
    )
    for warning in diag.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    out.print(f"Wrote {run_dir}; recorded in {out_of(run_dir) / HISTORY_NAME}")


@reports_problems
@run_options(seed=BackfillSeedOpt, question=PortfolioQuestionOpt)
def backfill(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First as-of date.")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last as-of date (kept if on a step).")],
    every: Annotated[str, typer.Option(help="Step between runs: 7d, 1w, 14d, ...")] = "7d",
    *,
    options: RunOptions,
    force: Annotated[bool, typer.Option(help="Re-run dates already recorded, replacing them.")] = False,
    briefing: Annotated[bool, typer.Option(help="Render each week's briefing.html and briefing.pdf.")] = True,
    sensitivity: SensitivityOpt = True,
    benchmarks: BenchmarksOpt = Path("benchmarks"),
) -> None:
    """Run every week in a date range for every question (or --question), compiling each model once;
    dates already recorded are skipped."""
    from forecast.pipeline import backfill as run_weeks
    from forecast.pipeline import parse_every, run_dates  # slow: PyMC (see forecast.cli)

    quiet_pymc()
    try:
        dates = run_dates(start.date(), end.date(), parse_every(every))
    except ValueError as problem:
        raise typer.BadParameter(str(problem)) from None
    template = options.config(dates[0], force=force, briefing=briefing, sensitivity=sensitivity, benchmarks=benchmarks)
    report_migration(migrate(template.out))
    done = skipped = 0
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err) as progress:
        task = progress.add_task(f"Backfilling {dates[0]} .. {dates[-1]}", total=len(dates))
        for week in run_weeks(template, dates, command=command_line()):
            progress.advance(task)
            if week.summary is None:
                skipped += 1
                progress.console.print(f"{week.as_of}  {week.question_id}  skipped: {week.skipped}", highlight=False)
                continue
            done += 1
            progress.console.print(_week_line(week.summary), highlight=False)
    out.print(f"{done} run(s) written, {skipped} skipped (already recorded; --force re-runs them) in {options.out}")


def _week_line(summary: Summary) -> str:
    means = "  ".join(f"{k} {v.mean:.1%}" for k, v in summary.outcomes.items())
    diag = summary.diagnostics
    warned = f"  [yellow]{len(diag.warnings)} sampler warning(s)[/yellow]" if diag.warnings else ""
    rhat = format_number(diag.rhat_max, ".3f")
    return f"{summary.as_of}  {summary.question.id}  {summary.run_id}  {means}  R-hat {rhat}{warned}"


@reports_problems
@run_options()
def whatif(
    as_of: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="The as-of date of the run to compare with.")],
    add: Annotated[
        list[Path] | None, typer.Option("--add", help="A hypothetical evidence file to add (repeatable).")
    ] = None,
    drop: Annotated[
        list[str] | None, typer.Option("--drop", help="An item or cluster id to remove (repeatable).")
    ] = None,
    *,
    options: RunOptions,
    as_json: Annotated[bool, typer.Option("--json", help="Print {outcome: {before, after}} as JSON.")] = False,
) -> None:
    """The forecast with items added or removed, next to the recorded run; writes nothing."""
    from forecast.analysis.whatif import UnknownId, what_if  # slow: PyMC, PyTensor, ArviZ (see forecast.cli)

    quiet_pymc()
    config = options.config(as_of.date())
    try:
        with err.status("Loading inputs, compiling the model, sampling (NUTS) with and without the change..."):
            result = what_if(config, add or [], drop or [])
    except UnknownId as unknown:
        err.print(f"[red]{unknown}[/red]", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        document = {o: {"before": result.before[o], "after": result.after[o]} for o in result.labels}
        typer.echo(json.dumps(document, indent=2))
        return
    if result.added:
        out.print("added: " + ", ".join(result.added), markup=False)
    if result.dropped:
        out.print(f"dropped {len(result.dropped)} item(s): " + ", ".join(result.dropped), markup=False)
    if result.left_out:
        out.print(f"left out (reported after {config.as_of}): " + ", ".join(result.left_out), markup=False)
    if result.recorded_run is None:
        out.print("before: not recorded, fitted now", highlight=False)
    else:
        same = "the current inputs" if result.recorded_current else "other inputs, seed or settings than now"
        out.print(f"before: recorded run {result.recorded_run} (made with {same})", highlight=False)
    table = Table(title=f"What if, as of {config.as_of}: chance on {result.horizon}")
    for column in ("outcome", "before", "after", "change (pp)"):
        table.add_column(column, justify="left" if column == "outcome" else "right")
    for key, label in result.labels.items():
        before, after = result.before[key], result.after[key]
        change = round((after - before) * 100, 1) + 0.0  # + 0.0: no "-0.0"
        table.add_row(label, f"{before:.1%}", f"{after:.1%}", f"{change:+.1f}")
    out.print(table)
