"""``summary.json``: what one run forecast, from which evidence, and how well it sampled."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Literal

from pydantic import Field

from forecast.inputs.schema import Match, Question

from .base import DocumentModel

SCHEMA_VERSION: Literal[2] = 2
INTERVAL = 0.9  # central credible interval reported as low/high
RHAT_MAX = 1.01  # sampler checks: a run past any threshold is flagged in the briefing
ESS_MIN = 400.0
DIVERGENCES_MAX = 0
SUMMARY_NAME = "summary.json"


class Estimate(DocumentModel):
    """A probability and its central credible interval."""

    mean: float
    low: float
    high: float


class Diagnostics(DocumentModel):
    rhat_max: float = Field(description="largest R-hat over the sampled parameters")
    ess_bulk_min: float = Field(description="smallest bulk effective sample size")
    divergences: int
    warnings: list[str] = Field(description=f"R-hat > {RHAT_MAX}, ESS < {ESS_MIN:.0f}, divergences, Pareto k refits")
    sampler: str
    chains: int
    draws: int
    tune: int
    seed: int


class CurvePoint(DocumentModel):
    """The chance of one outcome on one date, with its interval."""

    date: date
    mean: float
    low: float
    high: float


class DriverState(DocumentModel):
    """A latent driver at the as-of week (driver units: 0 typical, +-1 notably above or below)."""

    description: str
    level: Estimate
    change: Estimate = Field(description="level now minus level four weeks earlier")
    trend: Literal["rising", "falling", "steady"]


class StateRecord(DocumentModel):
    """The state of the conflict at the as-of date and the record that says so (none: the default)."""

    state: str
    since: date | None = None
    item: str | None = None


class HazardSummary(DocumentModel):
    """A baseline transition hazard of the reference class (per year), with its 90% interval."""

    events: int | None = Field(description="events in the reference data; none for an assumed hazard")
    exposure: float | None = Field(description="years at risk")
    mean: float
    low: float
    high: float


class ReferenceSummary(DocumentModel):
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


class EventReading(DocumentModel):
    """One reading of an event: the driver it reads, the merged signal and corroborated reliability."""

    driver: str
    signal: float
    reliability: float = Field(description="corroborated: 1 - prod(1 - r) over the reports reading this driver")


class EventImpact(DocumentModel):
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


class EvidenceEntry(DocumentModel):
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


class SensitivityCase(DocumentModel):
    """The horizon forecast under one setting of an assumption, and how it was obtained."""

    setting: str
    outcomes: dict[str, float]
    change: dict[str, float] = Field(description="outcome -> this forecast minus the run's")
    method: Literal["exact", "reweighted", "refit"] = Field(
        description="exact: prior re-transformed; reweighted: PSIS with Pareto k <= 0.7; refit: sampled again"
    )
    pareto_k: float | None = None


class SensitivityRow(DocumentModel):
    """One assumption and its settings (e.g. a link prior's mean one sd down and up)."""

    group: Literal["reference", "link", "measured", "drift", "noise", "source", "cluster"]
    assumption: str
    swing: float = Field(description="largest absolute change of the ranked outcome over the settings")
    cases: list[SensitivityCase]


class Sensitivity(DocumentModel):
    """How far the forecast moves when each assumption moves, largest swing first."""

    outcome: str = Field(description="the outcome the rows are ranked by (the leading one)")
    base: dict[str, float]
    rows: list[SensitivityRow]
    refits: int = Field(description="how many settings needed a refit (reweighting unreliable or invalid)")
    seconds: float


class OneMoreEvent(DocumentModel):
    """One more event of a kind at its default reading, this week: the change it would make."""

    kind: str
    driver: str
    signal: float
    reliability: float
    change: dict[str, float]
    pareto_k: float
    method: Literal["reweighted", "refit", "exact"]


class Pathway(DocumentModel):
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


class Signposts(DocumentModel):
    """What to watch in the coming weeks."""

    reliability: float = Field(description="the reliability each hypothetical report is given")
    one_more: list[OneMoreEvent]
    pathway: Pathway


class BenchmarkComparison(DocumentModel):
    """An outside forecast beside ours: the analyst's record of it, and this run's number for the same event.

    The record is copied, so a briefing re-rendered later shows what the run saw. ``ours`` is
    P(the state on ``by`` is one of ``outcomes``) from this run's draws, none when ``by`` is before
    the as-of date (the date has passed: the run forecasts nothing there).
    """

    id: str
    question_id: str | None = None  # the question of ours it names (runs before version 3 did not record it)
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


class MeasuredRatio(DocumentModel):
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


class WhyThisNumber(DocumentModel):
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


class Summary(DocumentModel):
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
    shared_horizons: dict[str, date] = Field(
        default_factory=dict,
        description="question id -> horizon of the questions fitted with this one whose horizon is earlier: "
        "the curves have a point on each, equal to that question's forecast",
    )
