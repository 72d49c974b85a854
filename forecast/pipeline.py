"""The pipeline: inputs -> posterior -> summary -> run folder and history row, for one date or many.

``run_forecast`` is one question's weekly run; ``run_questions`` runs every question of the priors
folder (the portfolio) on one date, and ``backfill`` repeats that over a range of dates. Questions
that share a model (:meth:`~forecast.inputs.schema.Question.model_key`) share one compiled model on
the grid of the latest horizon, and the forecaster keeps its recent fits, so the second question
samples nothing: it costs its curves, attribution, analyst blocks and briefing. The weekly grid
fixes every shape, so each week only swaps its readings through ``pm.Data``, and a backfilled week
equals the single run of that date, as a question run alone equals the same question in the portfolio. Where and how the
outputs are written is :mod:`forecast.store.runs`; what they hold is :mod:`forecast.results`.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

import arviz as az
import pandas as pd

from forecast.analysis.blocks import analyst_blocks
from forecast.horizon import compile_forecaster, horizon_forecast
from forecast.inputs.load import latest_question, load_question, load_questions
from forecast.inputs.schema import Question
from forecast.model.attribution import attribute
from forecast.model.fit import Forecaster
from forecast.model.measured import MeasuredItem
from forecast.model.readings import Item, Readings
from forecast.reference.fit import no_evidence_probabilities
from forecast.report.archive import refresh_archive
from forecast.report.briefing import render_briefing
from forecast.results.posterior import (
    benchmark_comparisons,
    curve_points,
    driver_states,
    event_impacts,
    evidence_entries,
    horizon_estimates,
    measured_impacts,
    reference_summary,
    sampler_checks,
    union_curves,
    why_block,
)
from forecast.results.summary import (
    INTERVAL,
    Diagnostics,
    Estimate,
    Manifest,
    SamplerRecord,
    Summary,
    WhyThisNumber,
)
from forecast.run_inputs import Inputs, RunConfig, bounded_links, check_as_of, load_inputs, run_id
from forecast.store.history import Record
from forecast.store.runs import RunExists, existing_run, migrate, write_run

_EVERY = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)
MAX_EVERY_DAYS = 3653  # a longer step overflows date arithmetic and gives at most one date of any question
SAMPLER_NAMES = {"pymc": "NUTS (PyMC)", "nutpie": "NUTS (nutpie, numba-compiled PyMC model)"}
SAMPLER_DETAIL = "drivers in data-whitened coordinates; attribution by PSIS (ArviZ)"


def versions() -> dict[str, str]:
    names = ["forecast", "pymc", "pytensor", "arviz", "numpy", "scipy", "pandas"]
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in names}}


@dataclass(frozen=True)
class Fit:
    """One as-of date's posterior and what follows from it."""

    idata: az.InferenceData
    evidence: Readings
    summary: Summary


def fit_and_summarise(config: RunConfig, inputs: Inputs, forecaster: Forecaster) -> Fit:
    """Sample, forecast every week to the horizon, attribute each event, and build ``summary.json``."""
    question, as_of, seed = inputs.question, config.as_of, config.run_seed
    forecast = horizon_forecast(config, inputs, forecaster)
    evidence, idata, curves = forecast.evidence, forecast.idata, forecast.curves
    state = inputs.state.state
    impacts = attribute(forecaster, idata, evidence, as_of, question.horizon, state, seed=seed, curves=curves)
    rhat, ess, divergences, warnings = sampler_checks(idata)
    warnings += [
        f"event {e}: Pareto k {v.pareto_k:.3f} > 0.7, refitted without it" for e, v in impacts.items() if v.refitted
    ]
    members: dict[str, list[str]] = {}
    dates: dict[str, date] = {}
    recorded: list[Item | MeasuredItem] = [*inputs.items, *inputs.measured]
    for item in recorded:
        event = item.cluster or item.id
        members.setdefault(event, []).append(item.id)
        dates[event] = min(dates.get(event, item.date), item.date)
    sensitivity, signposts = (
        analyst_blocks(config, inputs, forecaster, forecast, impacts, members) if config.sensitivity else (None, None)
    )
    no_evidence = no_evidence_probabilities(inputs.hazards, state, as_of, question.horizon, seed=seed)
    settings = config.settings
    events = {
        **event_impacts(impacts, evidence, forecaster.spec.driver_ids, members, dates),
        **measured_impacts(impacts, inputs.measured, inputs.effects, members, dates),
    }
    crowd = benchmark_comparisons(inputs.benchmarks, curves, as_of)
    summary = Summary(
        run_id=run_id(as_of, inputs.hashes, seed, settings),
        as_of=as_of,
        horizon=question.horizon,
        question=question,
        interval=INTERVAL,
        state=inputs.state,
        outcomes=horizon_estimates(curves, question.outcome_ids),
        curves=curve_points(curves, question.outcome_ids),
        drivers=driver_states(forecaster.driver_summary(idata, as_of), {d.id: d.description for d in inputs.drivers}),
        reference=reference_summary(inputs.hazards, {k: Estimate(**v) for k, v in no_evidence.items()}),
        diagnostics=Diagnostics(
            rhat_max=rhat,
            ess_bulk_min=ess,
            divergences=divergences,
            warnings=warnings,
            sampler=f"{SAMPLER_NAMES[settings.sampler]}, {SAMPLER_DETAIL}",
            chains=settings.chains,
            draws=settings.draws,
            tune=settings.tune,
            seed=seed,
        ),
        evidence=events,
        evidence_items=evidence_entries(inputs.used, inputs.kinds, config.evidence),
        excluded_after_as_of=[i.item.id for i in inputs.later],
        sensitivity=sensitivity,
        signposts=signposts,
        benchmarks=crowd,
        union_curves=union_curves(crowd, curves),
        why=why(inputs, forecaster, evidence, events, as_of),
        shared_horizons=inputs.earlier,
    )
    return Fit(idata, evidence, summary)


def why(inputs: Inputs, forecaster: Forecaster, evidence: Readings, events: dict, as_of: date) -> WhyThisNumber | None:
    """The measured weights behind the run (none without a measured table)."""
    if inputs.weights is None:
        return None
    spec = forecaster.spec
    table = [link.model_dump() for link in inputs.question.links.table]
    bounded = [
        f"{row['transition']} | {row['driver']}: {row['mean']:+.2f} -> {cut['mean']:+.2f}"
        for row, cut in zip(table, bounded_links(table, inputs.effects.strongest()), strict=True)
        if cut["mean"] != row["mean"]
    ]
    now = evidence.presence(spec)[spec.week_of(as_of)]
    rows = [row.model_dump() for row in inputs.weights.rows if not row.outcome]
    mismatch = inputs.question.reference.mismatch
    return why_block(rows, spec.measured, now, events, mismatch, bounded, inputs.weights.skill_sentence())


def build_manifest(config: RunConfig, inputs: Inputs, command: str) -> Manifest:
    settings = config.settings
    return Manifest(
        as_of=config.as_of,
        seed=config.run_seed,
        command=command,
        inputs=inputs.hashes,
        versions=versions(),
        sampler=SamplerRecord(
            chains=settings.chains, draws=settings.draws, tune=settings.tune, sampler=settings.sampler
        ),
    )


def _render(folder: Path, history: list[Record]) -> None:
    render_briefing(folder, history=history)


def run_forecast(
    config: RunConfig,
    command: str = "forecast run",
    forecaster: Forecaster | None = None,
    inputs: Inputs | None = None,
) -> tuple[Path, Summary]:
    """Run the forecast for ``config``, write its folder and history row; returns (run folder, summary).

    ``forecaster``: a compiled model to reuse, and ``inputs``: the inputs already loaded for
    ``config`` (a backfill passes both, so each week is loaded once and the model compiled once).
    """
    migrate(config.out)  # a one-question tree of version 2 moves into the per-question layout first
    inputs = inputs or load_inputs(config)
    reason = None if config.force else existing_run(config.out, config.as_of, inputs.question.id)
    if reason:
        raise RunExists(f"{reason}; pass --force to replace it")
    forecaster = forecaster or compile_forecaster(inputs, config.settings)
    fit = fit_and_summarise(config, inputs, forecaster)
    manifest = build_manifest(config, inputs, command)

    def write_posterior(path: Path) -> None:
        fit.idata.to_netcdf(str(path))

    render = _render if config.briefing else None
    folder = write_run(config.out, fit.summary, manifest, write_posterior, render, force=config.force)
    refresh_archive(config.out, config.benchmarks)
    return folder, fit.summary


def parse_every(text: str) -> timedelta:
    """'7d', '1w', '14d' -> a positive timedelta."""
    match = _EVERY.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"--every must look like 7d, 1w or 14d (a positive number of days or weeks), got {text!r}")
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if days > MAX_EVERY_DAYS:
        raise ValueError(f"--every {text.strip()} is longer than {MAX_EVERY_DAYS} days (ten years), past any question")
    return timedelta(days=days)


def run_dates(start: date, end: date, every: timedelta) -> list[date]:
    """``start``, ``start + every``, ... up to and including ``end``."""
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    return [d.date() for d in pd.date_range(start, end, freq=every)]


@dataclass(frozen=True)
class Week:
    """One question on one date of a run or backfill: its folder and summary, or why it was skipped."""

    as_of: date
    question_id: str
    run_dir: Path | None = None
    summary: Summary | None = None
    skipped: str | None = None


def portfolio(template: RunConfig) -> list[Question]:
    """The questions a run covers: ``template.question`` alone, or every question in the priors folder."""
    questions = load_questions(template.priors)
    if template.question is None:
        return questions
    return [load_question(template.priors, template.question)]


def out_of_span(question: Question, as_of: date) -> str | None:
    """Why a portfolio run of ``as_of`` leaves ``question`` out (None: it runs)."""
    if as_of >= question.horizon:
        return f"resolves on {question.horizon}, not after {as_of}: resolve it and retire its file (README)"
    if as_of < question.start:
        return f"starts on {question.start}, after {as_of}"
    return None


def run_questions(template: RunConfig, command: str = "forecast run") -> Iterator[Week]:
    """Run every question of the portfolio as of ``template.as_of``, yielding each as it finishes.

    Questions whose span does not hold the date are skipped with the reason (a named ``--question``
    must hold it: :func:`~forecast.run_inputs.check_as_of` says why not).
    """
    yield from _run_dates(template, [template.as_of], command)


def backfill(template: RunConfig, dates: list[date], command: str = "forecast backfill") -> Iterator[Week]:
    """Run the portfolio at each date in order, yielding each question's week as it finishes (for progress).

    Dates already run (folder or history row) are skipped unless ``template.force``. A model is
    compiled on the first date it runs and reused for every question sharing it. Every date is
    checked before anything runs (against the named question's span, or against some question's),
    so a range running past the horizon writes nothing instead of stopping half-way.
    """
    yield from _run_dates(template, dates, command)


def _run_dates(template: RunConfig, dates: list[date], command: str) -> Iterator[Week]:
    questions = portfolio(template)
    for as_of in dates:
        if template.question is not None:
            check_as_of(template.priors, questions[0], as_of)
        elif all(out_of_span(q, as_of) for q in questions):
            check_as_of(template.priors, latest_question(questions), as_of)
    migrate(template.out)
    forecasters: dict[str, Forecaster] = {}
    for as_of in dates:
        for question in questions:
            if (why_not := out_of_span(question, as_of)) is not None:
                yield Week(as_of, question.id, skipped=why_not)
                continue
            config = replace(template, as_of=as_of, question=question.id)
            inputs = load_inputs(config)
            reason = None if config.force else existing_run(config.out, as_of, question.id)
            if reason:
                yield Week(as_of, question.id, skipped=reason)
                continue
            key = question.model_key()
            forecaster = forecasters.get(key) or compile_forecaster(inputs, config.settings)
            forecasters[key] = forecaster
            folder, summary = run_forecast(config, command=command, forecaster=forecaster, inputs=inputs)
            yield Week(as_of, question.id, folder, summary)
