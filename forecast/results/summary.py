"""The files a run writes, defined once: ``summary.json`` and ``manifest.json`` as pydantic models.

Runs write through these models, the history and the briefing read through them, and
``forecast schema summary|manifest`` prints their JSON Schema. ``SCHEMA_VERSION`` is the version of
``summary.json`` a reader gets; a reader refuses any other with a clear error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forecast.errors import InputError, Problem
from forecast.inputs.schema import Match, Question

SCHEMA_VERSION: Literal[2] = 2
INTERVAL = 0.9  # central credible interval reported as low/high
RHAT_MAX = 1.01  # sampler checks: a run past any threshold is flagged in the briefing
ESS_MIN = 400.0
DIVERGENCES_MAX = 0

SUMMARY_NAME = "summary.json"
MANIFEST_NAME = "manifest.json"

Document = TypeVar("Document", bound=BaseModel)


class _Document(BaseModel):
    # NaN (an R-hat that could not be computed) is written as NaN, as json.dumps does, and read back
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="constants")


class Estimate(_Document):
    """A probability and its central credible interval."""

    mean: float
    low: float
    high: float


class Diagnostics(_Document):
    rhat_max: float = Field(description="largest R-hat over the sampled parameters")
    ess_bulk_min: float = Field(description="smallest bulk effective sample size")
    divergences: int
    warnings: list[str] = Field(description=f"R-hat > {RHAT_MAX}, ESS < {ESS_MIN:.0f}, divergences, Pareto k refits")
    sampler: str
    chains: int
    draws: int
    tune: int
    seed: int


class CurvePoint(_Document):
    """The chance of one outcome on one date, with its interval."""

    date: date
    mean: float
    low: float
    high: float


class DriverState(_Document):
    """A latent driver at the as-of week (driver units: 0 typical, +-1 notably above or below)."""

    description: str
    level: Estimate
    change: Estimate = Field(description="level now minus level four weeks earlier")
    trend: Literal["rising", "falling", "steady"]


class StateRecord(_Document):
    """The state of the conflict at the as-of date and the record that says so (none: the default)."""

    state: str
    since: date | None = None
    item: str | None = None


class HazardSummary(_Document):
    """A baseline transition hazard of the reference class (per year), with its 90% interval."""

    events: int | None = Field(description="events in the reference data; none for an assumed hazard")
    exposure: float | None = Field(description="years at risk")
    mean: float
    low: float
    high: float


class ReferenceSummary(_Document):
    """The outside view the run started from."""

    reference_class: str
    mismatch: float
    data_last_year: int
    hazards: dict[str, HazardSummary]
    no_evidence: dict[str, Estimate] = Field(description="the forecast with no evidence at all, per outcome")
    event_multiplier: dict[str, float] = Field(
        default_factory=dict,
        description="transition -> the class's rate over its no-event baseline (hazards above are the baseline)",
    )


class EventReading(_Document):
    """One reading of an event: the driver it reads, the merged signal and corroborated reliability."""

    driver: str
    signal: float
    reliability: float = Field(description="corroborated: 1 - prod(1 - r) over the reports reading this driver")


class EventImpact(_Document):
    """What one event (a cluster of reports, or a lone item) did to the forecast on the horizon.

    An event may read several drivers (two reports of one statement, each reading it differently):
    it then has one reading per driver. ``driver``, ``signal`` and ``reliability`` are its strongest
    reading (largest ``r |signal| / sd``), so a reader of version-2 summaries written before events
    could read several drivers finds the same fields; ``readings`` lists every reading (added
    compatibly: absent in older files, read as empty). ``impact`` is the whole event's: leaving the
    event out leaves out all its readings. An event of a measured kind (``basis: measured``) reads no
    driver: ``cell`` names its measured hazard ratio and ``conflicts`` what it rests on.
    """

    items: list[str]
    driver: str | None = Field(default=None, description="the driver of the event's strongest reading")
    signal: float | None = Field(default=None, description="the strongest reading's signal")
    basis: Literal["judgement", "measured"] = Field(
        default="judgement", description="measured: a kind whose hazard ratio history measured; judgement: a reading"
    )
    cell: str | None = Field(default=None, description="measured kinds: the kind and attributes of its ratio")
    conflicts: int | None = Field(default=None, description="measured kinds: conflicts the ratio rests on")
    reliability: float = Field(description="the strongest reading's: corroborated, 1 - prod(1 - r) over its reports")
    readings: list[EventReading] = Field(
        default_factory=list, description="every reading of the event, one per driver it reads (strongest first)"
    )
    date: date
    impact: dict[str, float] = Field(description="outcome -> forecast minus forecast without the event")
    pareto_k: float
    refitted: bool = Field(description="Pareto k above 0.7: the event was left out and the model refitted")


class EvidenceEntry(_Document):
    """What the briefing shows of one item used by the run."""

    date: dt.date
    reported: dt.date
    kind: str
    title: str
    source: str
    reliability: float
    cluster: str | None = None
    driver: str | None = None
    signal: float | None = None
    state: str | None = None
    basis: Literal["judgement", "measured", "observed"] = Field(
        default="judgement", description="measured kind, judgement reading, or observed state change"
    )
    cell: str | None = None
    event: str | None = Field(default=None, description="the event (cluster or item id) this item reads into")
    file: str


class SensitivityCase(_Document):
    """The horizon forecast under one setting of an assumption, and how it was obtained."""

    setting: str
    outcomes: dict[str, float]
    change: dict[str, float] = Field(description="outcome -> this forecast minus the run's")
    method: Literal["exact", "reweighted", "refit"] = Field(
        description="exact: prior re-transformed; reweighted: PSIS with Pareto k <= 0.7; refit: sampled again"
    )
    pareto_k: float | None = None


class SensitivityRow(_Document):
    """One assumption and its settings (e.g. a link prior's mean one sd down and up)."""

    group: Literal["reference", "link", "measured", "drift", "noise", "source", "cluster"]
    assumption: str
    swing: float = Field(description="largest absolute change of the ranked outcome over the settings")
    cases: list[SensitivityCase]


class Sensitivity(_Document):
    """How far the forecast moves when each assumption moves, largest swing first."""

    outcome: str = Field(description="the outcome the rows are ranked by (the leading one)")
    base: dict[str, float]
    rows: list[SensitivityRow]
    refits: int = Field(description="how many settings needed a refit (reweighting unreliable or invalid)")
    seconds: float


class OneMoreEvent(_Document):
    """One more event of a kind at its default reading, this week: the change it would make."""

    kind: str
    driver: str
    signal: float
    reliability: float
    change: dict[str, float]
    pareto_k: float
    method: Literal["reweighted", "refit", "exact"]


class Pathway(_Document):
    """The fewest default-size events found that take the target across 50%, or how far readings can go."""

    target: str
    direction: Literal["below", "above"]
    crosses: bool
    events: list[str] = Field(description="kinds added, in order (when it crosses: the combination)")
    value: float | None = Field(description="the target's chance after them, when it crosses")
    bound: float | None = Field(
        description="the target's chance with every driver held at its most favourable "
        "default reading from now to the horizon (when it does not cross)"
    )
    bound_levels: dict[str, float]
    states: dict[str, float] = Field(description="the target's chance if each other state took effect now")


class Signposts(_Document):
    """What to watch in the coming weeks."""

    reliability: float = Field(description="the reliability each hypothetical report is given")
    one_more: list[OneMoreEvent]
    pathway: Pathway


class BenchmarkComparison(_Document):
    """An outside forecast beside ours: the analyst's record of it, and this run's number for the same event.

    The record is copied, so a briefing re-rendered later shows what the run saw. ``ours`` is
    P(the state on ``by`` is one of ``outcomes``) from this run's draws, none when ``by`` is before
    the as-of date (the date has passed: the run forecasts nothing there).
    """

    id: str
    source: str
    question: str
    url: str
    seen: date
    probability: float
    outcomes: list[str]
    by: date
    match: Match
    differences: str
    via: str | None = None
    ours: Estimate | None = Field(description="this run's chance of the union on ``by``; none if ``by`` has passed")

    @property
    def union(self) -> str:
        """The key of the union's curve in ``Summary.union_curves``."""
        return union_key(self.outcomes)


def union_key(outcomes: list[str]) -> str:
    """'ceasefire+deal': one key per set of outcomes, whatever order a benchmark lists them in."""
    return "+".join(sorted(outcomes))


class MeasuredRatio(_Document):
    """One measured hazard ratio behind this run: a kind cell's effect on one war exit, as history has it."""

    cell: str
    kind: str
    attributes: dict[str, str]
    transition: str
    hazard_ratio: float = Field(description="measured on the UCDP conflicts (posterior median)")
    low: float
    high: float
    used_low: float = Field(description="90% interval the model uses, widened by the question's mismatch")
    used_high: float
    conflicts: int
    events: int
    presence: float = Field(description="the cell's presence on the as-of date: 1 this week, 0.5 a half-life on")


class WhyThisNumber(_Document):
    """The measured ratios behind the forecast, and how much of its move from the reference class is judgement."""

    half_life_weeks: float
    mismatch: float
    strongest: float = Field(description="the largest measured hazard ratio (or its inverse): the bound on judgement")
    ratios: list[MeasuredRatio]
    measured_change: dict[str, float] = Field(description="outcome -> summed impact of the measured events")
    judgement_change: dict[str, float] = Field(description="outcome -> summed impact of the judgement readings")
    judgement_share: float = Field(
        default=0.0, description="judgement's share of the summed |impact| of all events on the leading outcome"
    )
    bounded_links: list[str] = Field(default_factory=list, description="links whose prior mean the bound cut")
    backtest: str | None = Field(default=None, description="whether measured events add skill out of sample")


class Summary(_Document):
    """``summary.json``: what one run forecast, from which evidence, and how well it sampled."""

    schema_version: Literal[2] = SCHEMA_VERSION
    run_id: str = Field(description="as-of date + hash of inputs, seed and sampler settings")
    as_of: date
    horizon: date
    question: Question
    interval: float = INTERVAL
    state: StateRecord
    outcomes: dict[str, Estimate] = Field(description="outcome -> chance on the horizon date")
    curves: dict[str, list[CurvePoint]] = Field(description="outcome -> weekly chances from the as-of date")
    drivers: dict[str, DriverState]
    reference: ReferenceSummary
    diagnostics: Diagnostics
    evidence: dict[str, EventImpact] = Field(description="event id -> its impact")
    evidence_items: dict[str, EvidenceEntry]
    excluded_after_as_of: list[str] = Field(default_factory=list, description="items reported after the as-of date")
    sensitivity: Sensitivity | None = None
    signposts: Signposts | None = None
    benchmarks: list[BenchmarkComparison] = Field(
        default_factory=list, description="outside forecasts seen on or before the as-of date, beside ours"
    )
    union_curves: dict[str, list[CurvePoint]] = Field(
        default_factory=dict, description="'ceasefire+deal' -> weekly chance of that union, for the benchmarks' chart"
    )
    why: WhyThisNumber | None = Field(default=None, description="the measured weights behind this run")


class SamplerRecord(_Document):
    chains: int
    draws: int
    tune: int


class Manifest(_Document):
    """``manifest.json``: what a run read (SHA-256 of every input) and with what software."""

    as_of: date
    seed: int
    command: str
    inputs: dict[str, str]
    versions: dict[str, str]
    sampler: SamplerRecord


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``, so a
    reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_document(path: Path, document: BaseModel) -> None:
    """Write a document as indented UTF-8 JSON, atomically."""
    write_atomic(path, (document.model_dump_json(indent=2) + "\n").encode("utf-8"))


def read_document(path: Path, model: type[Document]) -> Document:
    """Read and validate a document; every problem is an :class:`InputError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "", "not found (is this a run folder?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, "", f"cannot be read: {exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, "", f"invalid JSON: {exc.msg}") from None
    _check_version(path, raw, model)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InputError.of([_problem(path, e) for e in exc.errors()]) from None


def _check_version(path: Path, raw: Any, model: type[BaseModel]) -> None:
    if model is Summary and isinstance(raw, dict) and raw.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            path,
            None,
            "schema_version",
            f"{raw.get('schema_version')!r} is not supported (this version reads {SCHEMA_VERSION})",
        )


def _problem(path: Path, error: Any) -> Problem:
    return Problem(str(path), None, ".".join(str(p) for p in error["loc"]), error["msg"])
