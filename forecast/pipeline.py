"""The pipeline: inputs -> posterior -> summary -> run folder and history row, for one date or many.

``run_forecast`` is one weekly run; ``backfill`` repeats it over a range of dates with one
compiled model (the question's weekly grid fixes every shape, so each week only swaps its
readings through ``pm.Data``), so a backfilled week equals the single run of that date. Where and how the
outputs are written is :mod:`forecast.store.runs`; what they hold is :mod:`forecast.results`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd

from forecast.assumptions import sensitivity_cases, source_name
from forecast.calibration.weights import EvidenceWeights, load_weights
from forecast.errors import InputError
from forecast.inputs.load import (
    LocatedItem,
    default_kinds_path,
    evidence_files,
    load_benchmarks,
    load_evidence,
    load_kinds,
    load_question,
    question_path,
    reference_dir,
    split_by_date,
)
from forecast.inputs.schema import MAX_ABS_SIGNAL, RELIABILITY_WORDS, Benchmark, Kind, Question
from forecast.model.attribution import EventImpact, attribute
from forecast.model.drivers import Driver, links_from_table, load_drivers
from forecast.model.fit import Curves, Forecaster
from forecast.model.measured import MeasuredEffects, MeasuredItem, cell_key, effects_from_rows, no_effects
from forecast.model.readings import Item, Readings
from forecast.model.settings import SamplerSettings
from forecast.model.signposts import Hypothesis, one_more, pathway
from forecast.model.spec import Spec, question_spec
from forecast.reference.fit import HazardTable, fit_reference, no_evidence_probabilities, rebased
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
    sensitivity_block,
    signposts_block,
    union_curves,
    why_block,
)
from forecast.results.summary import (
    INTERVAL,
    Diagnostics,
    Estimate,
    Manifest,
    SamplerRecord,
    Sensitivity,
    Signposts,
    StateRecord,
    Summary,
    WhyThisNumber,
)
from forecast.states import STATES, TRANSITION_LABELS
from forecast.store.history import Record
from forecast.store.runs import RunExists, existing_run, write_run

_EVERY = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)
MAX_EVERY_DAYS = 3653  # a longer step overflows date arithmetic and gives at most one date of any question
SAMPLER_NAME = "NUTS (PyMC), drivers in data-whitened coordinates; attribution by PSIS (ArviZ)"


@dataclass(frozen=True)
class RunConfig:
    as_of: date
    priors: Path = Path("priors")
    evidence: Path = Path("evidence")
    out: Path = Path("reports")
    benchmarks: Path = Path("benchmarks")
    seed: int | None = None
    settings: SamplerSettings = field(default_factory=SamplerSettings)
    kinds: Path | None = None
    force: bool = False
    briefing: bool = True
    sensitivity: bool = True  # the sensitivity block and the signposts (a few seconds of a run)

    @property
    def run_seed(self) -> int:
        """The given seed, or one derived from the as-of date so weekly runs reproduce."""
        return self.seed if self.seed is not None else int(self.as_of.strftime("%Y%m%d"))


@dataclass(frozen=True)
class Inputs:
    """Everything a run reads, validated and resolved for its as-of date."""

    question: Question
    kinds: dict[str, Kind]
    drivers: tuple[Driver, ...]
    hazards: HazardTable
    used: list[LocatedItem]  # reported on or before the as-of date
    later: list[LocatedItem]  # reported after it: left out
    items: list[Item]  # the used readings, as the model takes them
    state: StateRecord
    hashes: dict[str, str]
    benchmarks: list[Benchmark] = field(default_factory=list)  # all on file; a run shows those seen by its date
    measured: list[MeasuredItem] = field(default_factory=list)  # the used items of the measured kinds
    weights: EvidenceWeights | None = None  # the measured table (None: a model of drivers only)
    effects: MeasuredEffects = field(default_factory=lambda: no_effects(TRANSITION_LABELS))

    def spec(
        self,
        hazards: HazardTable | None = None,
        links: list[dict] | None = None,
        drivers: tuple[Driver, ...] | None = None,
        effects: MeasuredEffects | None = None,
    ) -> Spec:
        """The model of the question (fixed over its span: one compile serves every as-of date).

        ``hazards``, ``links`` (rows ``{transition, driver, mean, sd}``), ``drivers`` and the measured
        ``effects`` replace the question's own for the alternatives of the sensitivity block. Link
        means are bounded so that no judgement moves a hazard more than the strongest measured kind.
        """
        rows = (hazards or self.hazards).rows
        drivers = drivers or self.drivers
        log_mu = {r.transition: r.log_mu_used for r in rows}
        log_sd = {r.transition: r.log_sd_used for r in rows}
        table = links if links is not None else [link.model_dump() for link in self.question.links.table]
        table = bounded_links(table, self.effects.strongest())
        beta = links_from_table(table, tuple(d.id for d in drivers), default_sd=self.question.links.default_sd)
        measured = effects if effects is not None else self.effects
        return question_spec(self.question.start, self.question.horizon, log_mu, log_sd, beta, drivers, measured)

    def multipliers(self, reference_class: str) -> dict[str, float]:
        """The measured event multiplier of each war exit in a class (none without weights)."""
        return {} if self.weights is None else dict(self.weights.baseline_multiplier.get(reference_class, {}))


def bounded_links(table: list[dict], strongest: float) -> list[dict]:
    """Link rows with ``|mean| <= strongest / MAX_ABS_SIGNAL``: a driver pinned at the end of its scale
    (+-3) then moves a hazard by at most the strongest measured log hazard ratio. Without measured
    kinds (``strongest`` 0) the table is left as it is."""
    if strongest <= 0:
        return table
    cap = strongest / MAX_ABS_SIGNAL
    return [{**row, "mean": float(np.clip(row["mean"], -cap, cap))} for row in table]


def check_as_of(priors: Path, question: Question, as_of: date) -> None:
    """An as-of date must lie in the question's span: ``start`` <= as-of < ``horizon``."""
    if not question.start <= as_of < question.horizon:
        raise InputError(
            question_path(priors),
            None,
            "start",
            f"as-of date {as_of} is outside the question's span {question.start} .. {question.horizon}"
            " (a run's as-of date is on or after `start` and before the horizon)",
        )


def load_inputs(config: RunConfig) -> Inputs:
    """Load and validate the question, catalogues, reference data and evidence for ``config.as_of``."""
    question = load_question(config.priors)
    check_as_of(config.priors, question, config.as_of)
    kinds_path = config.kinds or default_kinds_path()
    kinds = load_kinds(kinds_path)
    used, later = split_by_date(load_evidence(config.evidence, question, kinds), config.as_of)
    weights = load_weights(reference_dir(config.priors))
    hazards = fit_reference(question.reference, config.as_of, reference_dir(config.priors))
    hazards = rebased(hazards, dict(weights.baseline_multiplier.get(question.reference.class_, {})))
    return Inputs(
        question,
        kinds,
        load_drivers(),
        hazards,
        used,
        later,
        model_items(used, kinds),
        current_state(used, config.as_of),
        input_hashes(config, kinds_path),
        benchmarks=load_benchmarks(config.benchmarks, question),
        measured=measured_items(used, kinds),
        weights=weights,
        effects=question_effects(weights, kinds, question.reference.mismatch),
    )


def question_effects(weights: EvidenceWeights, kinds: dict[str, Kind], mismatch: float) -> MeasuredEffects:
    """The measured kinds' hazard ratios for every cell of the catalogue, widened by the question's mismatch."""
    cells = [(name, attributes) for name, kind in kinds.items() for attributes in kind.cells()]
    rows = [row.model_dump() for row in weights.rows if not row.outcome]
    return effects_from_rows(rows, cells, TRANSITION_LABELS, weights.half_life_weeks, mismatch)


def measured_items(used: list[LocatedItem], kinds: dict[str, Kind]) -> list[MeasuredItem]:
    """The items of the measured kinds, each with the cell (kind and attributes) that selects its ratio."""
    out = []
    for located in used:
        item = located.item
        attributes = item.measured_attributes(kinds[item.kind])
        if attributes is not None:
            cell = cell_key(item.kind, attributes)
            out.append(MeasuredItem(item.id, item.date, item.reported, cell, item.reliability, item.cluster))
    return out


def model_items(used: list[LocatedItem], kinds: dict[str, Kind]) -> list[Item]:
    """The readings among the items (state changes are not readings), resolved against their kinds."""
    out = []
    for located in used:
        item = located.item
        reading = item.reading(kinds[item.kind])
        if reading is not None:
            out.append(
                Item(
                    item.id,
                    item.date,
                    item.reported,
                    reading.driver,
                    reading.signal,
                    reading.sd,
                    reading.reliability,
                    item.cluster,
                )
            )
    return out


def current_state(used: list[LocatedItem], as_of: date) -> StateRecord:
    """The state on the as-of date: the latest recorded transition on or before it, else war."""
    changes = sorted((i.item for i in used if i.item.is_transition and i.item.date <= as_of), key=lambda i: i.date)
    if not changes:
        return StateRecord(state="war")
    last = changes[-1]
    return StateRecord(state=str(last.state), since=last.date, item=last.id)


def input_hashes(config: RunConfig, kinds_path: Path) -> dict[str, str]:
    """SHA-256 of every input file, keyed by a stable label (not the machine's absolute path)."""
    reference = reference_dir(config.priors)
    files = {f"priors/{question_path(config.priors).name}": question_path(config.priors), "kinds.yaml": kinds_path}
    tables = sorted([*reference.glob("*.csv"), *reference.glob("*.json")])
    files.update({f"priors/reference/{p.name}": p for p in tables})
    root = config.evidence if config.evidence.is_dir() else config.evidence.parent
    for path in evidence_files(config.evidence):
        files[f"evidence/{path.relative_to(root).as_posix()}"] = path
    files.update(benchmark_files(config.benchmarks))
    return {label: hashlib.sha256(path.read_bytes()).hexdigest() for label, path in sorted(files.items())}


def benchmark_files(root: Path) -> dict[str, Path]:
    """The benchmark files by label (``benchmarks/<relative path>``): they are inputs of the summary."""
    if not root.exists():
        return {}
    base = root if root.is_dir() else root.parent
    return {f"benchmarks/{path.relative_to(base).as_posix()}": path for path in evidence_files(root)}


def versions() -> dict[str, str]:
    names = ["forecast", "pymc", "pytensor", "arviz", "numpy", "scipy", "pandas"]
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in names}}


def run_id(as_of: date, hashes: dict[str, str], seed: int, settings: SamplerSettings) -> str:
    digest = hashlib.sha256(json.dumps([hashes, seed, asdict(settings)], sort_keys=True).encode()).hexdigest()
    return f"{as_of.isoformat()}-{digest[:8]}"


@dataclass(frozen=True)
class Fit:
    """One as-of date's posterior and what follows from it."""

    idata: az.InferenceData
    evidence: Readings
    summary: Summary


@dataclass(frozen=True)
class HorizonForecast:
    """The readings, the posterior and the weekly curves from the current state to the horizon."""

    evidence: Readings
    idata: az.InferenceData
    curves: Curves


def horizon_forecast(config: RunConfig, inputs: Inputs, forecaster: Forecaster) -> HorizonForecast:
    """Items -> readings -> NUTS fit (the run's seed) -> curves: the one path a run and a what-if share."""
    evidence = forecaster.readings(inputs.items, config.as_of, inputs.measured)
    idata = forecaster.fit(evidence, seed=config.run_seed)
    curves = forecaster.forecast_curves(idata, config.as_of, inputs.question.horizon, inputs.state.state)
    return HorizonForecast(evidence, idata, curves)


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
            sampler=SAMPLER_NAME,
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


SIGNPOST_RELIABILITY = RELIABILITY_WORDS["high"]


def analyst_blocks(
    config: RunConfig,
    inputs: Inputs,
    forecaster: Forecaster,
    forecast: HorizonForecast,
    impacts: dict[str, EventImpact],
    members: dict[str, list[str]],
) -> tuple[Sensitivity, Signposts]:
    """The sensitivity block (each assumption moved) and the signposts (what to watch) of a run."""
    question, as_of, seed, state = inputs.question, config.as_of, config.run_seed, inputs.state.state
    evidence, idata, curves = forecast.evidence, forecast.idata, forecast.curves
    named = {i.cluster for i in inputs.items} | {i.cluster for i in inputs.measured}
    clusters = {event: ids for event, ids in members.items() if event in named}
    started = time.perf_counter()
    data = reference_dir(config.priors)
    cases = sensitivity_cases(
        inputs, forecaster, idata, evidence, curves, impacts, clusters, without_sources(inputs), data, as_of, seed
    )
    sensitivity = sensitivity_block(cases, curves.horizon(), time.perf_counter() - started)
    per_draw = curves.horizon_draws()
    hypotheses = signpost_hypotheses(inputs.kinds)
    singles = one_more(forecaster, idata, evidence, hypotheses, per_draw, as_of, question.horizon, state, STATES, seed)
    path = pathway(forecaster, idata, evidence, singles, per_draw, as_of, question.horizon, state, STATES)
    return sensitivity, signposts_block(singles, path, SIGNPOST_RELIABILITY)


def signpost_hypotheses(kinds: dict[str, Kind]) -> list[Hypothesis]:
    """One more event of each kind with a default reading that moves its driver (a well-sourced report),
    and one of each cell of the measured kinds."""
    readings = [
        Hypothesis(name, kind.driver, kind.signal, kind.sd, SIGNPOST_RELIABILITY)
        for name, kind in kinds.items()
        if kind.driver is not None and kind.signal and kind.sd is not None
    ]
    measured = [
        Hypothesis(cell_key(name, attributes), "", 0.0, 0.0, SIGNPOST_RELIABILITY, cell=cell_key(name, attributes))
        for name, kind in kinds.items()
        for attributes in kind.cells()
    ]
    return readings + measured


def without_sources(inputs: Inputs) -> dict[str, tuple[int, list[Item], list[MeasuredItem]]]:
    """For each source of the evidence: how many items it gave, and the readings and measured items without them."""
    names = sorted({source_name(u.item.source) for u in inputs.used if not u.item.is_transition})
    out = {}
    for name in names:
        kept = [u for u in inputs.used if source_name(u.item.source) != name]
        out[name] = (len(inputs.used) - len(kept), model_items(kept, inputs.kinds), measured_items(kept, inputs.kinds))
    return out


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


def compile_forecaster(inputs: Inputs, settings: SamplerSettings) -> Forecaster:
    """The compiled model of the question: built once, refitted for every as-of date."""
    return Forecaster(inputs.spec(), settings=settings)


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
    """One date of a backfill: its folder and summary, or why it was skipped."""

    as_of: date
    run_dir: Path | None = None
    summary: Summary | None = None
    skipped: str | None = None


def backfill(template: RunConfig, dates: list[date], command: str = "forecast backfill") -> Iterator[Week]:
    """Run ``template`` at each date in order, yielding each week as it finishes (for progress).

    Dates already run (folder or history row) are skipped unless ``template.force``. The model
    is compiled on the first date actually run. Every date is checked against the question's span
    before anything runs, so a range running past the horizon writes nothing instead of stopping
    half-way.
    """
    question = load_question(template.priors)
    for as_of in dates:
        check_as_of(template.priors, question, as_of)
    forecaster: Forecaster | None = None
    for as_of in dates:
        config = replace(template, as_of=as_of)
        inputs = load_inputs(config)
        reason = None if config.force else existing_run(config.out, as_of, inputs.question.id)
        if reason:
            yield Week(as_of, skipped=reason)
            continue
        forecaster = forecaster or compile_forecaster(inputs, config.settings)
        folder, summary = run_forecast(config, command=command, forecaster=forecaster, inputs=inputs)
        yield Week(as_of, folder, summary)
