"""What every command shares: the two consoles, and bad input reported as lines, never a traceback.

Every command reports bad input the same way: each problem as ``file:line: field: message`` on
stderr, exit status 1 (:func:`reports_problems`).
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import typer
from rich.console import Console

from forecast.errors import InputError
from forecast.store.runs import RunExists

out = Console()
err = Console(stderr=True)


Command = TypeVar("Command", bound=Callable[..., Any])


def reports_problems(command: Command) -> Command:
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


def day_or_today(value: datetime | None) -> date:
    return value.date() if value else date.today()


def quiet_pymc() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pymc.stats.convergence", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)


def command_line() -> str:
    return "forecast " + " ".join(sys.argv[1:])
