"""The ``forecast`` command: a thin shell over the library.

Every command reports bad input the same way: each problem as ``file:line: field: message`` on
stderr, exit status 1 (:func:`_reports_problems`). The modules that take seconds to import (PyMC for
sampling, pandas for the reference data, WeasyPrint and matplotlib for briefings) are imported by
the commands that use them, so `forecast evidence validate` answers in well under a second.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from forecast.errors import InputError
from forecast.inputs.load import (
    load_benchmarks,
    load_evidence,
    load_kinds,
    load_question,
    reference_dir,
    split_by_date,
)
from forecast.inputs.scaffold import check_skeleton, new_item_path, skeleton_id, skeleton_item, write_new_item
from forecast.inputs.schema import Question, evidence_file_schema
from forecast.model.settings import SamplerSettings
from forecast.reference.classes import REFERENCE_CLASSES
from forecast.report.wep import format_number
from forecast.results.summary import Estimate, Manifest, Summary
from forecast.states import STATES
from forecast.store.history import HistoryStore
from forecast.store.runs import RunExists

app = typer.Typer(help="Bayesian scenario forecaster for the Russia-Ukraine peace process.", no_args_is_help=True)
evidence_app = typer.Typer(help="Check, list and start evidence files.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")

out = Console()
err = Console(stderr=True)

PriorsOpt = Annotated[Path, typer.Option("--priors", help="Question file, or folder holding one.")]
EvidenceOpt = Annotated[Path, typer.Option("--evidence", help="Evidence folder (YAML at any depth).")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for run outputs.")]
BenchmarksOpt = Annotated[
    Path, typer.Option("--benchmarks", help="Outside forecasts to set beside ours (YAML; a missing folder: none).")
]
SensitivityOpt = Annotated[
    bool, typer.Option(help="Record the sensitivity block and the signposts (each assumption moved; what to watch).")
]
KindsOpt = Annotated[Path | None, typer.Option("--kinds", help="Evidence-kind catalogue (default: the shipped one).")]
DrawsOpt = Annotated[int, typer.Option(min=100, help="Draws per chain.")]
TuneOpt = Annotated[int, typer.Option(min=100, help="Tuning steps per chain.")]
ChainsOpt = Annotated[int, typer.Option(min=2, help="Chains per outcome condition.")]
MAX_SEED = 2**32 - 1  # PyMC refuses negative seeds (a traceback after compiling, before this bound)
SeedOpt = Annotated[
    int | None, typer.Option(min=0, max=MAX_SEED, help="Random seed (default: the as-of date as YYYYMMDD).")
]

Command = TypeVar("Command", bound=Callable[..., Any])
DEFAULT = SamplerSettings()


def _reports_problems(command: Command) -> Command:
    """Turn bad input (and a run that already exists) into stderr lines and exit 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as problem:
            if len(problem.problems) > 1:
                err.print(f"[red]{len(problem.problems)} problems[/red]")
            typer.echo(problem.render(), err=True)  # one unwrapped line per problem, for editors and grep
            raise typer.Exit(1) from None
        except RunExists as exists:
            err.print(f"[red]{exists}[/red]", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _day(value: datetime | None) -> date:
    return value.date() if value else date.today()


def _quiet_pymc() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pymc.stats.convergence", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _command_line() -> str:
    return "forecast " + " ".join(sys.argv[1:])


@evidence_app.command("validate")
@_reports_problems
def evidence_validate(
    path: Annotated[Path, typer.Argument(help="Evidence file or folder.")] = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
    kinds: KindsOpt = None,
) -> None:
    """Check every evidence file; print each problem as file:line: field: message."""
    question = load_question(priors)
    items = load_evidence(path, question, load_kinds(kinds))
    out.print(f"[green]OK[/green]: {len(items)} items in {path}")


@evidence_app.command("list")
@_reports_problems
def evidence_list(
    path: Annotated[Path, typer.Argument(help="Evidence file or folder.")] = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
    as_of: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only items reported on or before.")
    ] = None,
    kinds: KindsOpt = None,
) -> None:
    """Print the evidence as a table."""
    question = load_question(priors)
    catalogue = load_kinds(kinds)
    items = load_evidence(path, question, catalogue)
    if as_of:
        items, _ = split_by_date(items, as_of.date())
    table = Table(title=f"{len(items)} evidence items" + (f" reported by {as_of.date()}" if as_of else ""))
    for column in ("date", "reported", "id", "kind", "reads", "rel.", "cluster", "title"):
        table.add_column(column, overflow="fold", no_wrap=column in ("date", "reported", "id"))
    for located in items:
        item = located.item
        reading = item.reading(catalogue[item.kind])
        reads = f"state: {item.state}" if reading is None else f"{reading.driver} {reading.signal:+.2f}"
        table.add_row(
            item.date.isoformat(),
            item.reported.isoformat(),
            item.id,
            item.kind,
            reads,
            f"{item.reliability:.2f}",
            item.cluster or "",
            item.title,
        )
    out.print(table)


@evidence_app.command("new")
@_reports_problems
def evidence_new(
    kind: Annotated[str, typer.Option(help="Evidence kind (see forecast/inputs/kinds.yaml).")],
    day: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="When the event happened (default: today).")
    ] = None,
    cluster: Annotated[str | None, typer.Option(help="Cluster shared with other reports of the event.")] = None,
    item_id: Annotated[str | None, typer.Option("--id", help="Item id (default: date and kind).")] = None,
    evidence: EvidenceOpt = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
    catalogue: KindsOpt = None,
) -> None:
    """Write a valid skeleton item of KIND into <evidence>/<YYYY-MM>/ (never overwrites)."""
    question = load_question(priors)
    kinds = load_kinds(catalogue)
    if kind not in kinds:
        raise typer.BadParameter(f"unknown kind {kind!r}; known kinds: {', '.join(sorted(kinds))}", param_hint="--kind")
    when = _day(day)
    name = item_id or skeleton_id(kind, when, cluster)
    text = skeleton_item(name, kind, kinds[kind], when, cluster)
    path = new_item_path(evidence, when, name)
    check_skeleton(path, text, question, kinds)  # valid as written, or nothing is written
    path = write_new_item(path, text)
    out.print(f"Wrote {path}; fill in the TODO fields, then `forecast evidence validate`")


benchmarks_app = typer.Typer(help="Check outside forecasts (markets, platforms) set beside ours.", no_args_is_help=True)
app.add_typer(benchmarks_app, name="benchmarks")


@benchmarks_app.command("validate")
@_reports_problems
def benchmarks_validate(
    path: Annotated[Path, typer.Argument(help="Benchmark file or folder.")] = Path("benchmarks"),
    priors: PriorsOpt = Path("priors"),
) -> None:
    """Check every benchmark file; print each problem as file:line: field: message."""
    if not path.exists():
        raise InputError(path, None, "", "no such file or folder")
    found = load_benchmarks(path, load_question(priors))
    out.print(f"[green]OK[/green]: {len(found)} benchmarks in {path}")


class SchemaName(StrEnum):
    evidence = "evidence"
    question = "question"
    summary = "summary"
    manifest = "manifest"


@app.command()
@_reports_problems
def schema(name: Annotated[SchemaName, typer.Argument(help="Which file's JSON Schema to print.")]) -> None:
    """Print the JSON Schema of an evidence file, the question file, summary.json or manifest.json."""
    document: dict[str, Any]
    if name is SchemaName.evidence:
        document = evidence_file_schema(load_kinds(None))
    else:
        models: dict[str, type[BaseModel]] = {"question": Question, "summary": Summary, "manifest": Manifest}
        document = models[name.value].model_json_schema()
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@app.command()
@_reports_problems
def run(
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Use evidence dated on or before this day (default: today)."),
    ] = None,
    priors: PriorsOpt = Path("priors"),
    evidence: EvidenceOpt = Path("evidence"),
    out_dir: OutOpt = Path("reports"),
    seed: SeedOpt = None,
    draws: DrawsOpt = DEFAULT.draws,
    tune: TuneOpt = DEFAULT.tune,
    chains: ChainsOpt = DEFAULT.chains,
    force: Annotated[bool, typer.Option(help="Replace an existing run for this date.")] = False,
    briefing: Annotated[bool, typer.Option(help="Render briefing.html and briefing.pdf.")] = True,
    sensitivity: SensitivityOpt = True,
    kinds: KindsOpt = None,
    benchmarks: BenchmarksOpt = Path("benchmarks"),
) -> None:
    """Run the forecast and write <out>/<as-of>/."""
    from forecast.pipeline import run_forecast  # slow: PyMC, PyTensor, ArviZ (see module docstring)
    from forecast.run_inputs import RunConfig

    _quiet_pymc()
    config = RunConfig(
        as_of=_day(as_of),
        priors=priors,
        evidence=evidence,
        out=out_dir,
        seed=seed,
        settings=SamplerSettings(draws=draws, tune=tune, chains=chains),
        kinds=kinds,
        force=force,
        briefing=briefing,
        sensitivity=sensitivity,
        benchmarks=benchmarks,
    )
    with err.status("Loading inputs, compiling the model, sampling (NUTS) and forecasting each week..."):
        run_dir, summary = run_forecast(config, command=_command_line())
    print_summary(summary, run_dir)


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
    out.print(f"Wrote {run_dir}; recorded in {run_dir.parent / 'history.sqlite'}")


@app.command()
@_reports_problems
def backfill(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First as-of date.")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last as-of date (kept if on a step).")],
    every: Annotated[str, typer.Option(help="Step between runs: 7d, 1w, 14d, ...")] = "7d",
    priors: PriorsOpt = Path("priors"),
    evidence: EvidenceOpt = Path("evidence"),
    out_dir: OutOpt = Path("reports"),
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=MAX_SEED, help="One seed for every week (default: each as-of date, YYYYMMDD)."),
    ] = None,
    draws: DrawsOpt = DEFAULT.draws,
    tune: TuneOpt = DEFAULT.tune,
    chains: ChainsOpt = DEFAULT.chains,
    force: Annotated[bool, typer.Option(help="Re-run dates already recorded, replacing them.")] = False,
    briefing: Annotated[bool, typer.Option(help="Render each week's briefing.html and briefing.pdf.")] = True,
    sensitivity: SensitivityOpt = True,
    kinds: KindsOpt = None,
    benchmarks: BenchmarksOpt = Path("benchmarks"),
) -> None:
    """Run every week in a date range, compiling the model once; dates already recorded are skipped."""
    from forecast.pipeline import backfill as run_weeks
    from forecast.pipeline import parse_every, run_dates  # slow: PyMC (see module docstring)
    from forecast.run_inputs import RunConfig

    _quiet_pymc()
    try:
        dates = run_dates(start.date(), end.date(), parse_every(every))
    except ValueError as problem:
        raise typer.BadParameter(str(problem)) from None
    template = RunConfig(
        as_of=dates[0],
        priors=priors,
        evidence=evidence,
        out=out_dir,
        seed=seed,
        settings=SamplerSettings(draws=draws, tune=tune, chains=chains),
        kinds=kinds,
        force=force,
        briefing=briefing,
        sensitivity=sensitivity,
        benchmarks=benchmarks,
    )
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
        for week in run_weeks(template, dates, command=_command_line()):
            progress.advance(task)
            if week.summary is None:
                skipped += 1
                progress.console.print(f"{week.as_of}  skipped: {week.skipped}", highlight=False)
                continue
            done += 1
            progress.console.print(_week_line(week.summary), highlight=False)
    out.print(f"{done} run(s) written, {skipped} skipped (already recorded; --force re-runs them) in {out_dir}")


def _week_line(summary: Summary) -> str:
    means = "  ".join(f"{k} {v.mean:.1%}" for k, v in summary.outcomes.items())
    diag = summary.diagnostics
    warned = f"  [yellow]{len(diag.warnings)} sampler warning(s)[/yellow]" if diag.warnings else ""
    return f"{summary.as_of}  {summary.run_id}  {means}  R-hat {format_number(diag.rhat_max, '.3f')}{warned}"


@app.command()
@_reports_problems
def history(
    out_dir: OutOpt = Path("reports"),
    target: Annotated[
        str | None, typer.Option("--csv", help="Write the history as CSV to this file (- for stdout).")
    ] = None,
) -> None:
    """Print the recorded runs (as-of date, forecast, diagnostics), or export them as CSV."""
    store = HistoryStore.beside(out_dir)
    records = store.records()
    if target is not None:
        _write_csv([r.flat() for r in records], target)
        if target != "-":
            err.print(f"Wrote {target} ({len(records)} runs)")
        return
    if not records:
        out.print(f"No runs recorded in {store.path}")
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


@app.command()
@_reports_problems
def reference(
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="As-of date (default: today).")] = None,
    priors: PriorsOpt = Path("priors"),
    name: Annotated[str | None, typer.Option("--class", help="Another reference class, by name.")] = None,
    state: Annotated[str, typer.Option(help="State of the conflict at the as-of date.")] = "war",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Print the reference-class hazards and the no-evidence state probabilities on the horizon."""
    from forecast.reference.fit import fit_reference, no_evidence_probabilities  # slow: pandas, scipy

    question = load_question(priors)
    day = _day(as_of)
    if not question.reference.conflict_start < day < question.horizon:
        raise InputError(
            "--as-of",
            None,
            "as-of",
            f"{day} is outside {question.reference.conflict_start} (the conflict's start, `reference.conflict_start`)"
            f" .. {question.horizon} (the horizon): the outside view is of a conflict under way, before the horizon",
        )
    spec = question.reference if name is None else question.reference.model_copy(update={"class_": name})
    if spec.class_ not in REFERENCE_CLASSES:
        raise typer.BadParameter(f"unknown class {name!r}; choose one of {', '.join(REFERENCE_CLASSES)}")
    if state not in STATES:
        raise typer.BadParameter(f"unknown state {state!r}; choose one of {', '.join(STATES)}")
    table = fit_reference(spec, day, reference_dir(priors))
    probabilities = no_evidence_probabilities(table, state, day, question.horizon)
    if as_json:
        document = {
            "as_of": day.isoformat(),
            "horizon": question.horizon.isoformat(),
            "state": state,
            "hazards": table.to_dict(),
            "probabilities": probabilities,
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(table.to_text())
    result = Table(title=f"No-evidence P(state on {question.horizon}) from {state} on {day} (90% interval)")
    for column in ("state", "mean", "90% interval"):
        result.add_column(column)
    for key, value in probabilities.items():
        result.add_row(key, f"{value['mean']:.1%}", f"{value['low']:.1%} - {value['high']:.1%}")
    out.print(result)


@app.command()
@_reports_problems
def backtest(
    data: Annotated[Path, typer.Option(help="Folder holding the two UCDP files.")] = Path("priors/reference"),
    out_dir: Annotated[Path, typer.Option("--out", help="Where backtest.json and backtest.html go.")] = Path(
        "reports/backtest"
    ),
    first_origin: Annotated[int, typer.Option(help="First origin year.")] = 1975,
    evidence: Annotated[bool, typer.Option(help="Also backtest the evidence model (events.csv in --data).")] = True,
) -> None:
    """Score the reference-class forecast on history: rolling origins, no look-ahead, against a baseline."""
    from forecast.reference.backtest import run_backtest, verdict, write_backtest  # slow: pandas, matplotlib

    with err.status("Backtesting one-year forecasts at every origin year..."):
        result = run_backtest(data, first_origin=first_origin)
    block, html = None, ""
    if evidence:
        from forecast.calibration.backtest import evidence_html, evidence_verdict, run_evidence_backtest
        from forecast.calibration.events import events_path, load_events

        if not events_path(data).exists():
            err.print(f"no {events_path(data)}: evidence-model backtest skipped", highlight=False)
            evidence = False
    if evidence:
        from forecast.reference.data import load_reference_data

        with err.status("Backtesting the evidence model...") as status:
            block = run_evidence_backtest(load_reference_data(data), load_events(data), progress=status.update)
        html = evidence_html(block)
    json_path, html_path = write_backtest(result, out_dir, block, html)
    out.print(verdict(result), highlight=False)
    if block is not None:
        out.print(evidence_verdict(block), highlight=False)
    out.print(f"Wrote {json_path} and {html_path}")


@app.command()
@_reports_problems
def report(run_dir: Annotated[Path, typer.Argument(help="A run folder holding summary.json.")]) -> None:
    """Re-render briefing.html and briefing.pdf from a run's saved files (no sampling)."""
    from forecast.report.briefing import render_briefing  # slow: matplotlib, WeasyPrint (see module docstring)

    html, pdf = render_briefing(run_dir)
    out.print(f"Wrote {html} and {pdf}")


@app.command()
@_reports_problems
def whatif(
    as_of: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="The as-of date of the run to compare with.")],
    add: Annotated[
        list[Path] | None, typer.Option("--add", help="A hypothetical evidence file to add (repeatable).")
    ] = None,
    drop: Annotated[
        list[str] | None, typer.Option("--drop", help="An item or cluster id to remove (repeatable).")
    ] = None,
    priors: PriorsOpt = Path("priors"),
    evidence: EvidenceOpt = Path("evidence"),
    out_dir: OutOpt = Path("reports"),
    seed: SeedOpt = None,
    draws: DrawsOpt = DEFAULT.draws,
    tune: TuneOpt = DEFAULT.tune,
    chains: ChainsOpt = DEFAULT.chains,
    kinds: KindsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {outcome: {before, after}} as JSON.")] = False,
) -> None:
    """The forecast with items added or removed, next to the recorded run; writes nothing."""
    from forecast.analysis.whatif import UnknownId, what_if
    from forecast.run_inputs import RunConfig  # slow: PyMC, PyTensor, ArviZ (see module docstring)

    _quiet_pymc()
    config = RunConfig(
        as_of=as_of.date(),
        priors=priors,
        evidence=evidence,
        out=out_dir,
        seed=seed,
        settings=SamplerSettings(draws=draws, tune=tune, chains=chains),
        kinds=kinds,
    )
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


@app.command()
@_reports_problems
def resolve(
    outcome: Annotated[str, typer.Option(help="The observed state: one of the question's outcome ids.")],
    day: Annotated[datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="The date it was observed on.")],
    source: Annotated[str | None, typer.Option(help="Where the state was read (a URL).")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
    priors: PriorsOpt = Path("priors"),
    out_dir: OutOpt = Path("reports"),
    benchmarks: BenchmarksOpt = Path("benchmarks"),
    force: Annotated[bool, typer.Option(help="Replace another outcome recorded for this date.")] = False,
) -> None:
    """Record the state observed on a date; the state on the horizon resolves the question."""
    from forecast.report.archive import refresh_archive  # slow: matplotlib (see module docstring)
    from forecast.store.resolutions import ResolutionConflict, record_resolution, resolutions_path

    question = load_question(priors)
    try:
        record_resolution(out_dir, question, outcome, day.date(), source=source, note=note, force=force)
    except ResolutionConflict as conflict:
        err.print(f"[red]{conflict}[/red]", highlight=False)
        raise typer.Exit(1) from None
    final = " (the horizon: the question is resolved)" if day.date() == question.horizon else ""
    out.print(f"Recorded {outcome} on {day.date()}{final} in {resolutions_path(out_dir, question.id)}")
    refresh_archive(out_dir, benchmarks)


@app.command()
@_reports_problems
def score(
    out_dir: OutOpt = Path("reports"),
    priors: PriorsOpt = Path("priors"),
    benchmarks: BenchmarksOpt = Path("benchmarks"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score every recorded run (and outside forecast) of a resolved question; record the scores."""
    from forecast.analysis.scorecard import NotResolved, score_question
    from forecast.report.archive import refresh_archive  # slow: matplotlib (see module docstring)

    try:
        card = score_question(out_dir, priors, benchmarks)
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


@app.command()
@_reports_problems
def archive(
    out_dir: OutOpt = Path("reports"),
    benchmarks: BenchmarksOpt = Path("benchmarks"),
) -> None:
    """Rebuild <out>/index.html: every run, the trend with outside forecasts, and the scores."""
    from forecast.report.archive import write_archive  # slow: matplotlib (see module docstring)

    out.print(f"Wrote {write_archive(out_dir, benchmarks)}")


@app.command()
@_reports_problems
def weights(
    as_of: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Fit on events before this date only.")
    ] = None,
    name: Annotated[str, typer.Option("--class", help="Reference class of the panel.")] = "all_conflicts",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    data: Annotated[Path | None, typer.Option(help="Folder holding events.csv and the UCDP files.")] = None,
    refit: Annotated[bool, typer.Option(help="Refit even where the shipped table would do.")] = False,
    write: Annotated[Path | None, typer.Option(help="Also write the weights JSON here.")] = None,
    draws: DrawsOpt = 400,
    tune: TuneOpt = 400,
    chains: ChainsOpt = 2,
) -> None:
    """Evidence weights measured on history: hazard ratio per event kind and war exit (docs/weights.md)."""
    from forecast.calibration.weights import fit_weights, load_weights  # slow: PyMC, pandas
    from forecast.results.summary import write_atomic

    if name not in REFERENCE_CLASSES:
        raise typer.BadParameter(f"unknown class {name!r}; choose one of {', '.join(REFERENCE_CLASSES)}")
    shipped_ok = (as_of is None or as_of.date() >= date(2022, 1, 1)) and name == "all_conflicts" and data is None
    if shipped_ok and not refit:
        result = load_weights()
        source = "shipped table (priors/reference/evidence_weights.json), not refitted; --refit to refit"
    else:
        _quiet_pymc()
        day = None if as_of is None else as_of.date()

        def progress(message: str) -> None:
            err.print(message, highlight=False)

        with err.status("Fitting evidence weights..."):
            result = fit_weights(
                data,
                as_of=day,
                reference_class=name,
                draws=draws,
                tune=tune,
                chains=chains,
                progress=progress,
            )
        source = "refitted"
    if write is not None:
        write_atomic(write, (result.model_dump_json(indent=2) + "\n").encode())
    if as_json:
        document = result.model_dump()
        document["source"] = source
        typer.echo(json.dumps(document, indent=2))
        return
    err.print(source, highlight=False)
    table = Table(title=f"Hazard ratios after an event (half-life {result.half_life_weeks:.0f} weeks), 90% interval")
    for column in ("kind", "attributes", "transition", "ratio", "90% interval", "conflicts", "events", "half-life"):
        table.add_column(column)
    for r in result.rows:
        attrs = ", ".join(f"{k}={v}" for k, v in r.attributes.items()) + (" (outcome)" if r.outcome else "")
        table.add_row(
            r.kind,
            attrs,
            r.transition,
            f"{r.hazard_ratio:.2f}",
            f"{r.low:.2f} - {r.high:.2f}",
            str(r.conflicts),
            str(r.events),
            f"{r.half_life_weeks:.0f} wk",
        )
    out.print(table)
    d = result.diagnostics
    out.print(
        f"Panel {result.panel.years[0]}-{result.panel.years[1]}: {result.panel.months_at_risk} months at risk, "
        f"{result.panel.conflicts} conflicts. R-hat max {d.rhat_max:.3f}, ESS bulk min {d.ess_bulk_min:.0f}, "
        f"tail min {d.ess_tail_min:.0f}, divergences {d.divergences}.",
        highlight=False,
    )


if __name__ == "__main__":
    app()
