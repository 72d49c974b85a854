"""The pipeline: inputs -> posterior -> summary -> run folder and history row, for one date or many.

``run_forecast`` is one weekly run; ``backfill`` repeats it over a range of dates with one
compiled model (the kind catalogue fixes every shape, so each week only swaps its evidence
through ``pm.Data``), so a backfilled week equals the single run of that date. Where and how the
outputs are written is :mod:`forecast.store.runs`; what they hold is :mod:`forecast.results`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

import arviz as az
import pandas as pd

from forecast.inputs.load import (
    LocatedItem,
    default_kinds_path,
    evidence_files,
    load_evidence,
    load_kinds,
    load_question,
    question_path,
    split_by_date,
)
from forecast.inputs.schema import Kind, Question
from forecast.model.design import EvidenceArrays, build_arrays
from forecast.model.inference import SAMPLER_NAME, Forecaster, SamplerSettings
from forecast.report import render_briefing
from forecast.results.posterior import diagnostics, evidence_impacts, evidence_items, outcome_forecasts
from forecast.results.summary import INTERVAL, Diagnostics, Manifest, SamplerRecord, Summary
from forecast.store.history import Record
from forecast.store.runs import RunExists, existing_run, write_run

_EVERY = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RunConfig:
    as_of: date
    priors: Path = Path("priors")
    evidence: Path = Path("evidence")
    out: Path = Path("reports")
    seed: int | None = None
    settings: SamplerSettings = field(default_factory=SamplerSettings)
    kinds: Path | None = None
    force: bool = False
    briefing: bool = True

    @property
    def run_seed(self) -> int:
        """The given seed, or one derived from the as-of date so weekly runs reproduce."""
        return self.seed if self.seed is not None else int(self.as_of.strftime("%Y%m%d"))


@dataclass(frozen=True)
class Inputs:
    """Everything a run reads, validated."""

    question: Question
    kinds: dict[str, Kind]
    used: list[LocatedItem]
    later: list[LocatedItem]
    arrays: EvidenceArrays
    hashes: dict[str, str]


def load_inputs(config: RunConfig) -> Inputs:
    """Load and validate the question, catalogue and evidence for ``config.as_of``."""
    question = load_question(config.priors)
    kinds_path = config.kinds or default_kinds_path()
    kinds = load_kinds(kinds_path, question.outcome_ids)
    used, later = split_by_date(load_evidence(config.evidence, question, kinds), config.as_of)
    arrays = build_arrays(question, kinds, [i.item for i in used], config.as_of)
    return Inputs(question, kinds, used, later, arrays, input_hashes(config, kinds_path))


def input_hashes(config: RunConfig, kinds_path: Path) -> dict[str, str]:
    """SHA-256 of every input file, keyed by a stable label (not the machine's absolute path)."""
    files = {f"priors/{question_path(config.priors).name}": question_path(config.priors), "kinds.yaml": kinds_path}
    root = config.evidence if config.evidence.is_dir() else config.evidence.parent
    for path in evidence_files(config.evidence):
        files[f"evidence/{path.relative_to(root).as_posix()}"] = path
    return {label: hashlib.sha256(path.read_bytes()).hexdigest() for label, path in sorted(files.items())}


def versions() -> dict[str, str]:
    names = ["forecast", "pymc", "pytensor", "arviz", "numpy", "scipy", "pandas"]
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in names}}


def run_id(as_of: date, hashes: dict[str, str], seed: int, settings: SamplerSettings) -> str:
    digest = hashlib.sha256(json.dumps([hashes, seed, asdict(settings)], sort_keys=True).encode()).hexdigest()
    return f"{as_of.isoformat()}-{digest[:8]}"


def build_summary(config: RunConfig, inputs: Inputs, idata: az.InferenceData) -> Summary:
    """The ``summary.json`` document of this run."""
    checks = diagnostics(idata)
    settings = config.settings
    log_ml = idata["mixture"]["log_marginal_likelihood"].values
    return Summary(
        run_id=run_id(config.as_of, inputs.hashes, config.run_seed, settings),
        as_of=config.as_of,
        horizon=inputs.question.horizon,
        question=inputs.question,
        interval=INTERVAL,
        outcomes=outcome_forecasts(idata),
        diagnostics=Diagnostics(
            rhat_max=checks.rhat_max,
            ess_bulk_min=checks.ess_bulk_min,
            divergences=checks.divergences,
            warnings=checks.warnings,
            sampler=SAMPLER_NAME,
            chains=settings.chains,
            draws=settings.draws,
            tune=settings.tune,
            seed=config.run_seed,
            log_marginal_likelihood=dict(zip(inputs.arrays.outcomes, map(float, log_ml), strict=True)),
        ),
        evidence=evidence_impacts(idata),
        evidence_items=evidence_items(inputs.used, inputs.arrays.weight, config.evidence),
        excluded_after_as_of=[i.item.id for i in inputs.later],
    )


def build_manifest(config: RunConfig, inputs: Inputs, command: str) -> Manifest:
    settings = config.settings
    return Manifest(
        as_of=config.as_of,
        seed=config.run_seed,
        command=command,
        inputs=inputs.hashes,
        versions=versions(),
        sampler=SamplerRecord(chains=settings.chains, draws=settings.draws, tune=settings.tune),
    )


def _render(folder: Path, history: list[Record]) -> None:
    render_briefing(folder, history=history)


def run_forecast(
    config: RunConfig,
    command: str = "forecast run",
    forecaster: Forecaster | None = None,
    on_condition: Callable[[str], None] | None = None,
    inputs: Inputs | None = None,
) -> tuple[Path, Summary]:
    """Run the forecast for ``config``, write its folder and history row; returns (run folder, summary).

    ``forecaster``: a compiled model to reuse, and ``inputs``: the inputs already loaded for
    ``config`` (a backfill passes both, so each week is loaded and compiled once).
    """
    inputs = inputs or load_inputs(config)
    reason = None if config.force else existing_run(config.out, config.as_of, inputs.question.id)
    if reason:
        raise RunExists(f"{reason}; pass --force to replace it")
    forecaster = forecaster or Forecaster(inputs.question, inputs.arrays, config.settings)
    idata = forecaster.fit(inputs.arrays, config.run_seed, on_condition)
    summary = build_summary(config, inputs, idata)
    manifest = build_manifest(config, inputs, command)

    def write_posterior(path: Path) -> None:
        idata.to_netcdf(str(path))

    render = _render if config.briefing else None
    folder = write_run(config.out, summary, manifest, write_posterior, render, force=config.force)
    return folder, summary


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
    return [d.date() for d in pd.date_range(start, end, freq=every)]


@dataclass(frozen=True)
class Week:
    """One date of a backfill: its folder and summary, or why it was skipped."""

    as_of: date
    run_dir: Path | None = None
    summary: Summary | None = None
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
        reason = None if config.force else existing_run(config.out, as_of, inputs.question.id)
        if reason:
            yield Week(as_of, skipped=reason)
            continue
        forecaster = forecaster or Forecaster(inputs.question, inputs.arrays, config.settings)
        folder, summary = run_forecast(config, command=command, forecaster=forecaster, inputs=inputs)
        yield Week(as_of, folder, summary)
