"""The outside view and what history measures: ``reference`` hazards, the ``backtest`` and the evidence ``weights``."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from forecast.cli.options import ChainsOpt, DrawsOpt, PriorsOpt, QuestionOpt, TuneOpt
from forecast.cli.shell import day_or_today, err, out, quiet_pymc, reports_problems
from forecast.errors import InputError
from forecast.inputs.load import load_question, reference_dir
from forecast.reference.classes import REFERENCE_CLASSES
from forecast.states import STATES


@reports_problems
def reference(
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="As-of date (default: today).")] = None,
    priors: PriorsOpt = Path("priors"),
    question_id: QuestionOpt = None,
    name: Annotated[str | None, typer.Option("--class", help="Another reference class, by name.")] = None,
    state: Annotated[str, typer.Option(help="State of the conflict at the as-of date.")] = "war",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Print the reference-class hazards and the no-evidence state probabilities on the horizon."""
    from forecast.reference.fit import fit_reference, no_evidence_probabilities  # slow: pandas, scipy

    question = load_question(priors, question_id)
    day = day_or_today(as_of)
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


@reports_problems
def backtest(
    data: Annotated[Path, typer.Option(help="Folder holding the two UCDP files.")] = Path("priors/reference"),
    out_dir: Annotated[Path, typer.Option("--out", help="Where backtest.json and backtest.html go.")] = Path(
        "reports/backtest"
    ),
    first_origin: Annotated[int, typer.Option(help="First origin year.")] = 1975,
    evidence: Annotated[bool, typer.Option(help="Also backtest the evidence model (events.csv in --data).")] = True,
) -> None:
    """Score the reference-class forecast on history: rolling origins, no look-ahead, against a baseline."""
    from forecast.reference.backtest import run_backtest  # slow: pandas
    from forecast.reference.backtest_report import verdict, write_backtest  # slow: matplotlib

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


@reports_problems
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
        quiet_pymc()
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
