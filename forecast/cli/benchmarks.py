"""Checking the outside forecasts (markets, platforms) set beside ours."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecast.cli.options import PriorsOpt
from forecast.cli.shell import out, reports_problems
from forecast.errors import InputError
from forecast.inputs.load import load_portfolio_benchmarks, load_questions

benchmarks_app = typer.Typer(help="Check outside forecasts (markets, platforms) set beside ours.", no_args_is_help=True)


@benchmarks_app.command("validate")
@reports_problems
def benchmarks_validate(
    path: Annotated[Path, typer.Argument(help="Benchmark file or folder.")] = Path("benchmarks"),
    priors: PriorsOpt = Path("priors"),
) -> None:
    """Check every benchmark file; print each problem as file:line: field: message."""
    if not path.exists():
        raise InputError(path, None, "", "no such file or folder")
    found = load_portfolio_benchmarks(path, load_questions(priors))
    out.print(f"[green]OK[/green]: {len(found)} benchmarks in {path}")
