"""The ``forecast`` command: a thin shell over the library, one module per group of commands.

- ``runs``: ``run``, ``backfill``, ``whatif`` (fitting the model; their shared options: ``options``)
- ``evidence``: ``evidence validate|list|new``; ``benchmarks``: ``benchmarks validate``
- ``reference``: ``reference``, ``backtest``, ``weights`` (the outside view and what history measures)
- ``records``: ``history``, ``report``, ``resolve``, ``score``, ``archive``, ``schema``
- ``shell``: the consoles and the one way bad input is reported (``shell.reports_problems``)

The modules that take seconds to import (PyMC for sampling, pandas for the reference data,
WeasyPrint and matplotlib for briefings) are imported by the commands that use them, so
`forecast evidence validate` answers in well under a second.
"""

from __future__ import annotations

import typer

from forecast.cli import benchmarks, evidence, records, reference, runs

app = typer.Typer(help="Bayesian scenario forecaster for the Russia-Ukraine peace process.", no_args_is_help=True)
app.add_typer(evidence.evidence_app, name="evidence")
app.add_typer(benchmarks.benchmarks_app, name="benchmarks")
for command in (
    records.schema,
    runs.run,
    runs.backfill,
    records.history,
    reference.reference,
    reference.backtest,
    records.report,
    runs.whatif,
    records.resolve,
    records.score,
    records.archive,
    reference.weights,
):
    app.command()(command)
