"""Backfill: the weekly run for every date in a range, with the model compiled once.

One :class:`~forecast.model.inference.Forecaster` serves every week: the kind catalogue fixes every
shape, so ``fit`` only swaps the week's evidence through ``pm.Data``. Each week is otherwise an
ordinary :func:`~forecast.pipeline.run_forecast` (same seed rule, same files, same history row), so
a backfilled week equals the single run of that date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from forecast.model.inference import Forecaster
from forecast.pipeline import RunConfig, existing_run, load_inputs, run_forecast

_EVERY = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


def parse_every(text: str) -> timedelta:
    """'7d', '1w', '14d' -> a positive timedelta."""
    match = _EVERY.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"--every must look like 7d, 1w or 14d (a positive number of days or weeks), got {text!r}")
    return timedelta(days=int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1))


def run_dates(start: date, end: date, every: timedelta) -> list[date]:
    """``start``, ``start + every``, ... up to and including ``end``."""
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    return [start + k * every for k in range((end - start) // every + 1)]


@dataclass(frozen=True)
class Week:
    """One date of a backfill: its folder and summary, or why it was skipped."""

    as_of: date
    run_dir: Path | None = None
    summary: dict | None = None
    skipped: str | None = None


def backfill(template: RunConfig, dates: list[date], command: str = "forecast backfill") -> Iterator[Week]:
    """Run ``template`` at each date in order, yielding each week as it finishes (for progress).

    Dates already run (folder or history row) are skipped unless ``template.force``. The model
    is compiled on the first date actually run.
    """
    forecaster: Forecaster | None = None
    for as_of in dates:
        config = replace(template, as_of=as_of)
        inputs = load_inputs(config)
        reason = None if config.force else existing_run(config, inputs.question.id)
        if reason:
            yield Week(as_of, skipped=reason)
            continue
        forecaster = forecaster or Forecaster(inputs.question, inputs.arrays, config.settings)
        run_dir, summary = run_forecast(config, command=command, forecaster=forecaster, inputs=inputs)
        yield Week(as_of, run_dir, summary)
