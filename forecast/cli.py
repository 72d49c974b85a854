"""The ``forecast`` command: a thin shell over the library."""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from forecast.inputs.load import InputErrors, load_evidence, load_kinds, load_question, split_by_date
from forecast.inputs.yamlio import InputError

app = typer.Typer(help="Bayesian scenario forecaster for the Russia-Ukraine peace process.", no_args_is_help=True)
evidence_app = typer.Typer(help="Check and list evidence files.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")

out = Console()
err = Console(stderr=True)

PriorsOpt = Annotated[Path, typer.Option("--priors", help="Question file, or folder holding one.")]
EvidenceOpt = Annotated[Path, typer.Option("--evidence", help="Evidence folder (YAML at any depth).")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for run outputs.")]
DrawsOpt = Annotated[int, typer.Option(min=100, help="Draws per chain and outcome condition.")]
TuneOpt = Annotated[int, typer.Option(min=100, help="Tuning steps per chain.")]
ChainsOpt = Annotated[int, typer.Option(min=2, help="Chains per outcome condition.")]


def _as_date(value: Optional[datetime]) -> date:
    return value.date() if value else date.today()


def _fail(errors: list[InputError] | InputError) -> None:
    for error in errors if isinstance(errors, list) else [errors]:
        typer.echo(error.render(), err=True)  # one unwrapped line per problem, for editors and grep
    raise typer.Exit(1)


def _quiet_pymc() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pymc.stats.convergence", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)


@evidence_app.command("validate")
def evidence_validate(
    path: Annotated[Path, typer.Argument(help="Evidence file or folder.")] = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
) -> None:
    """Check every evidence file; print each problem as file:line: field: message."""
    try:
        question = load_question(priors)
        kinds = load_kinds(None, question.outcome_ids)
        items = load_evidence(path, question, kinds)
    except InputErrors as problems:
        err.print(f"[red]{len(problems.errors)} problem(s)[/red]")
        _fail(problems.errors)
    except InputError as problem:
        _fail(problem)
    out.print(f"[green]OK[/green]: {len(items)} items in {path}")


@evidence_app.command("list")
def evidence_list(
    path: Annotated[Path, typer.Argument(help="Evidence file or folder.")] = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
    as_of: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="Only items dated on or before.")] = None,
) -> None:
    """Print the evidence as a table."""
    try:
        question = load_question(priors)
        items = load_evidence(path, question, load_kinds(None, question.outcome_ids))
    except InputErrors as problems:
        _fail(problems.errors)
    if as_of:
        items, _ = split_by_date(items, as_of.date())
    table = Table(title=f"{len(items)} evidence items")
    for column in ("date", "id", "kind", "rel.", "cluster", "title"):
        table.add_column(column, overflow="fold", no_wrap=column in ("date", "id"))
    for located in items:
        item = located.item
        table.add_row(item.date.isoformat(), item.id, item.kind, f"{item.reliability:.2f}", item.cluster or "", item.title)
    out.print(table)


@app.command()
def run(
    as_of: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="Use evidence dated on or before this day (default: today).")] = None,
    priors: PriorsOpt = Path("priors"),
    evidence: EvidenceOpt = Path("evidence"),
    out_dir: OutOpt = Path("reports"),
    seed: Annotated[Optional[int], typer.Option(help="Random seed (default: the as-of date as YYYYMMDD).")] = None,
    draws: DrawsOpt = 1000,
    tune: TuneOpt = 1000,
    chains: ChainsOpt = 2,
    force: Annotated[bool, typer.Option(help="Replace an existing run for this date.")] = False,
    briefing: Annotated[bool, typer.Option(help="Render briefing.html and briefing.pdf.")] = True,
) -> None:
    """Run the forecast and write <out>/<as-of>/."""
    from forecast.model.inference import SamplerSettings
    from forecast.pipeline import RunConfig, RunExists, run_forecast

    _quiet_pymc()
    config = RunConfig(
        as_of=_as_date(as_of), priors=priors, evidence=evidence, out=out_dir, seed=seed,
        settings=SamplerSettings(draws=draws, tune=tune, chains=chains), force=force, briefing=briefing,
    )
    command = "forecast " + " ".join(sys.argv[1:])
    try:
        with err.status("Loading inputs and compiling the model...") as status:
            run_dir, summary = run_forecast(
                config, command=command, on_condition=lambda k: status.update(f"Sampling given outcome '{k}'...")
            )
    except InputErrors as problems:
        _fail(problems.errors)
    except RunExists as exists:
        err.print(f"[red]{exists}[/red]")
        raise typer.Exit(1)
    print_summary(summary, run_dir)


def print_summary(summary: dict, run_dir: Path) -> None:
    """Forecast table, what was left out, and every sampler warning."""
    labels = {o["id"]: o["label"] for o in summary["question"]["outcomes"]}
    excluded = summary["excluded_after_as_of"]
    out.print(f"{len(summary['evidence'])} items used as of {summary['as_of']}; {len(excluded)} dated after it left out")
    if excluded:
        out.print("  left out: " + ", ".join(excluded), markup=False)
    table = Table(title=f"Forecast for {summary['horizon']} (run {summary['run_id']})")
    for column in ("outcome", "mean", f"{summary['interval']:.0%} interval"):
        table.add_column(column)
    for key, value in summary["outcomes"].items():
        table.add_row(labels[key], f"{value['mean']:.1%}", f"{value['low']:.1%} - {value['high']:.1%}")
    out.print(table)
    diag = summary["diagnostics"]
    out.print(f"R-hat max {diag['rhat_max']:.3f}, ESS bulk min {diag['ess_bulk_min']:.0f}, divergences {diag['divergences']}")
    for warning in diag["warnings"]:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    out.print(f"Wrote {run_dir}; recorded in {run_dir.parent / 'history.sqlite'}")


@app.command()
def backfill(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First as-of date.")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last as-of date (kept if on a step).")],
    every: Annotated[str, typer.Option(help="Step between runs: 7d, 1w, 14d, ...")] = "7d",
    priors: PriorsOpt = Path("priors"),
    evidence: EvidenceOpt = Path("evidence"),
    out_dir: OutOpt = Path("reports"),
    seed: Annotated[Optional[int], typer.Option(help="One seed for every week (default: each as-of date, YYYYMMDD).")] = None,
    draws: DrawsOpt = 1000,
    tune: TuneOpt = 1000,
    chains: ChainsOpt = 2,
    force: Annotated[bool, typer.Option(help="Re-run dates already recorded, replacing them.")] = False,
    briefing: Annotated[bool, typer.Option(help="Render each week's briefing.html and briefing.pdf.")] = True,
) -> None:
    """Run every week in a date range, compiling the model once; dates already recorded are skipped."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from forecast.backfill import backfill as run_weeks, parse_every, run_dates
    from forecast.model.inference import SamplerSettings
    from forecast.pipeline import RunConfig

    _quiet_pymc()
    try:
        dates = run_dates(start.date(), end.date(), parse_every(every))
    except ValueError as problem:
        raise typer.BadParameter(str(problem)) from None
    template = RunConfig(
        as_of=dates[0], priors=priors, evidence=evidence, out=out_dir, seed=seed,
        settings=SamplerSettings(draws=draws, tune=tune, chains=chains), force=force, briefing=briefing,
    )
    done = skipped = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    try:
        with Progress(*columns, console=err) as progress:
            task = progress.add_task(f"Backfilling {dates[0]} .. {dates[-1]}", total=len(dates))
            for week in run_weeks(template, dates, command="forecast " + " ".join(sys.argv[1:])):
                progress.advance(task)
                if week.summary is None:
                    skipped += 1
                    progress.console.print(f"{week.as_of}  skipped: {week.skipped}", highlight=False)
                    continue
                done += 1
                progress.console.print(_week_line(week.summary), highlight=False)
    except InputErrors as problems:
        _fail(problems.errors)
    out.print(f"{done} run(s) written, {skipped} skipped (already recorded; --force re-runs them) in {out_dir}")


def _week_line(summary: dict) -> str:
    means = "  ".join(f"{k} {v['mean']:.1%}" for k, v in summary["outcomes"].items())
    diag = summary["diagnostics"]
    warned = f"  [yellow]{len(diag['warnings'])} sampler warning(s)[/yellow]" if diag["warnings"] else ""
    return f"{summary['as_of']}  {summary['run_id']}  {means}  R-hat {diag['rhat_max']:.3f}{warned}"


@app.command()
def history(
    out_dir: OutOpt = Path("reports"),
    csv: Annotated[Optional[str], typer.Option("--csv", help="Write the history as CSV to this file (- for stdout).")] = None,
) -> None:
    """Print the recorded runs (as-of date, forecast, diagnostics), or export them as CSV."""
    import pandas as pd

    from forecast.store.history import HistoryStore

    store = HistoryStore.beside(out_dir)
    records = store.records()
    if csv is not None:
        frame = pd.DataFrame([r.flat() for r in records])
        frame.to_csv(sys.stdout if csv == "-" else csv, index=False)
        if csv != "-":
            err.print(f"Wrote {csv} ({len(records)} runs)")
        return
    if not records:
        out.print(f"No runs recorded in {store.path}")
        return
    for qid in dict.fromkeys(r.question_id for r in records):
        rows = [r for r in records if r.question_id == qid]
        interval = f"{rows[-1].interval:.0%}"
        table = Table(title=f"{qid}: {len(rows)} run(s) recorded in {store.path}",
                      caption=f"Outcomes: mean % ({interval} interval)")
        outcomes = list(dict.fromkeys(k for r in rows for k in r.outcomes))
        for column in ("as_of", "run_id", *outcomes, "rhat_max", "ess_bulk_min", "divergences"):
            table.add_column(column, justify="left" if column in ("as_of", "run_id") else "right",
                             no_wrap=column in ("as_of", "run_id"))
        for r in rows:
            cells = [_estimate(r.outcomes.get(k)) for k in outcomes]
            diag = r.diagnostics
            table.add_row(r.as_of, r.run_id, *cells, _number(diag.get("rhat_max"), ".3f"),
                          _number(diag.get("ess_bulk_min"), ".0f"), _number(diag.get("divergences"), "d"))
        out.print(table)


def _estimate(value: dict | None) -> str:
    return "" if value is None else f"{value['mean']:.1%} ({value['low'] * 100:.1f}-{value['high'] * 100:.1f})"


def _number(value: object, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="A run folder holding summary.json.")]) -> None:
    """Re-render briefing.html and briefing.pdf from a run's saved files (no sampling)."""
    from forecast.report import render_briefing

    if not (run_dir / "summary.json").is_file():
        err.print(f"[red]{run_dir}: no summary.json (not a run folder)[/red]")
        raise typer.Exit(1)
    html, pdf = render_briefing(run_dir)
    out.print(f"Wrote {html} and {pdf}")


if __name__ == "__main__":
    app()
