"""Checking, listing and starting evidence files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from forecast.cli.options import EvidenceOpt, KindsOpt, PriorsOpt, QuestionOpt
from forecast.cli.shell import day_or_today, out, reports_problems
from forecast.inputs.load import load_evidence, load_kinds, split_by_date, story_question
from forecast.inputs.scaffold import check_skeleton, new_item_path, skeleton_id, skeleton_item, write_new_item

evidence_app = typer.Typer(help="Check, list and start evidence files.", no_args_is_help=True)


@evidence_app.command("validate")
@reports_problems
def evidence_validate(
    path: Annotated[Path, typer.Argument(help="Evidence file or folder.")] = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
    question_id: QuestionOpt = None,
    kinds: KindsOpt = None,
) -> None:
    """Check every evidence file; print each problem as file:line: field: message."""
    question = story_question(priors, question_id)
    items = load_evidence(path, question, load_kinds(kinds))
    out.print(f"[green]OK[/green]: {len(items)} items in {path}")


@evidence_app.command("list")
@reports_problems
def evidence_list(
    path: Annotated[Path, typer.Argument(help="Evidence file or folder.")] = Path("evidence"),
    priors: PriorsOpt = Path("priors"),
    as_of: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only items reported on or before.")
    ] = None,
    kinds: KindsOpt = None,
) -> None:
    """Print the evidence as a table."""
    question = story_question(priors)
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
@reports_problems
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
    question = story_question(priors)
    kinds = load_kinds(catalogue)
    if kind not in kinds:
        raise typer.BadParameter(f"unknown kind {kind!r}; known kinds: {', '.join(sorted(kinds))}", param_hint="--kind")
    when = day_or_today(day)
    name = item_id or skeleton_id(kind, when, cluster)
    text = skeleton_item(name, kind, kinds[kind], when, cluster)
    path = new_item_path(evidence, when, name)
    check_skeleton(path, text, question, kinds)  # valid as written, or nothing is written
    path = write_new_item(path, text)
    out.print(f"Wrote {path}; fill in the TODO fields, then `forecast evidence validate`")
