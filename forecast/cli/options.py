"""The options the commands share, each declared once.

The run options (``--priors --question --evidence --out --seed --draws --tune --chains --sampler --kinds``)
are what every command that fits the model takes (``run``, ``backfill``, ``whatif``): :func:`run_options` gives a
command all of them in place of one ``options: RunOptions`` parameter, so they are declared here
alone and reach the command as one :class:`RunOptions`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from forecast.model.settings import Sampler, SamplerSettings

if TYPE_CHECKING:  # slow to import (PyMC): the commands import it when they run
    from forecast.run_inputs import RunConfig

PriorsOpt = Annotated[Path, typer.Option("--priors", help="Question file, or folder of question files.")]
QuestionOpt = Annotated[
    str | None,
    typer.Option("--question", help="The id of one question of --priors (needed when it holds several)."),
]
PortfolioQuestionOpt = Annotated[
    str | None, typer.Option("--question", help="Run this question of --priors only (default: every question).")
]
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
SamplerOpt = Annotated[
    Sampler,
    typer.Option(help="NUTS of PyMC, or of nutpie (3x faster fits, 10-12 s compile per process: for backfills)."),
]
MAX_SEED = 2**32 - 1  # PyMC refuses negative seeds (a traceback after compiling, before this bound)
SeedOpt = Annotated[
    int | None, typer.Option(min=0, max=MAX_SEED, help="Random seed (default: the as-of date as YYYYMMDD).")
]
BackfillSeedOpt = Annotated[
    int | None, typer.Option(min=0, max=MAX_SEED, help="One seed for every week (default: each as-of date, YYYYMMDD).")
]

DEFAULT = SamplerSettings()
KEYWORD = inspect.Parameter.KEYWORD_ONLY  # Typer passes every option by name


@dataclass(frozen=True)
class RunOptions:
    """Where a run reads and writes, its seed and its sampler settings: the options of every fitting command."""

    priors: PriorsOpt = Path("priors")
    question: QuestionOpt = None
    evidence: EvidenceOpt = Path("evidence")
    out: OutOpt = Path("reports")
    seed: SeedOpt = None
    draws: DrawsOpt = DEFAULT.draws
    tune: TuneOpt = DEFAULT.tune
    chains: ChainsOpt = DEFAULT.chains
    sampler: SamplerOpt = DEFAULT.sampler
    kinds: KindsOpt = None

    def config(self, as_of: date, **more: Any) -> RunConfig:
        """The run of ``as_of`` with these options (``more``: the command's own, such as ``force``)."""
        from forecast.run_inputs import RunConfig  # slow: PyMC, PyTensor, ArviZ

        settings = SamplerSettings(draws=self.draws, tune=self.tune, chains=self.chains, sampler=self.sampler)
        return RunConfig(
            as_of=as_of,
            priors=self.priors,
            question=self.question,
            evidence=self.evidence,
            out=self.out,
            seed=self.seed,
            settings=settings,
            kinds=self.kinds,
            **more,
        )


def run_options(**replaced: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the run options in place of its (keyword-only) ``options: RunOptions`` parameter.

    ``replaced``: an option declared otherwise for this command (``seed=...``: its own help text).
    Typer reads the command's signature, so the wrapper shows the options one by one and builds
    the :class:`RunOptions` from them.
    """
    declared = [
        inspect.Parameter(
            field.name,
            KEYWORD,
            default=field.default,
            annotation=replaced.get(field.name, _option(field.name)),
        )
        for field in fields(RunOptions)
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        own = inspect.signature(command, eval_str=True).parameters.values()
        parameters = [q.replace(kind=KEYWORD) for p in own for q in (declared if p.name == "options" else [p])]

        @functools.wraps(command)
        def wrapper(**given: Any) -> Any:
            options = RunOptions(**{p.name: given.pop(p.name) for p in declared})
            return command(options=options, **given)

        wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper

    return decorate


def _option(name: str) -> Any:
    """The declared ``Annotated[type, typer.Option(...)]`` of a run option."""
    return inspect.get_annotations(RunOptions, eval_str=True)[name]
