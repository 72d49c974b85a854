"""Pydantic schemas of the files analysts write: the question, the kind catalogue, evidence items, benchmarks.

Validation lives here and only here; loaders turn pydantic errors into ``file:line: field``
messages. Every model forbids unknown fields so a misspelt key never passes silently.
"""

from __future__ import annotations

import datetime as dt
import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from forecast.reference.spec import ReferenceSpec
from forecast.states import STATES, TRANSITION_LABELS

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=80)]

# The model's drivers (their catalogue, with half-lives and rationales: forecast/model/drivers.yaml).
DRIVER_IDS: tuple[str, ...] = (
    "diplomacy",
    "russia_flexibility",
    "ukraine_flexibility",
    "military_momentum",
    "external_support",
)
MAX_LINK_MEAN = 3.0
"""A link mean beyond +-3 (a driver one sd up multiplying a hazard by 20) is refused: NaN and 1e6 used to pass."""
RELIABILITY_WORDS: dict[str, float] = {"low": 0.3, "medium": 0.6, "high": 0.85, "confirmed": 1.0}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


class Outcome(_Strict):
    id: Slug
    label: str = Field(min_length=1)
    definition: str = Field(min_length=1)


class Link(_Strict):
    """Prior of one link coefficient: how a driver one sd above typical scales a transition's hazard."""

    transition: str
    driver: str
    mean: float = Field(
        ge=-MAX_LINK_MEAN,
        le=MAX_LINK_MEAN,
        allow_inf_nan=False,
        description="prior mean of beta; exp(beta) multiplies the hazard per driver sd",
    )
    sd: float = Field(gt=0, le=3)
    rationale: str = Field(min_length=1)

    @field_validator("transition")
    @classmethod
    def _known_transition(cls, value: str) -> str:
        if value not in TRANSITION_LABELS:
            raise ValueError(f"unknown transition {value!r}; transitions are {', '.join(TRANSITION_LABELS)}")
        return value

    @field_validator("driver")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value not in DRIVER_IDS:
            raise ValueError(f"unknown driver {value!r}; drivers are {', '.join(DRIVER_IDS)}")
        return value


class Links(_Strict):
    """The link priors of the question; a (transition, driver) pair not listed has mean 0, sd ``default_sd``."""

    default_sd: float = Field(default=0.05, gt=0, le=3)
    table: list[Link]

    @model_validator(mode="after")
    def _one_row_per_pair(self) -> Links:
        pairs = [(link.transition, link.driver) for link in self.table]
        repeated = sorted({f"{t} x {d}" for t, d in pairs if pairs.count((t, d)) > 1})
        if repeated:
            raise ValueError(f"each (transition, driver) pair appears once; repeated: {', '.join(repeated)}")
        return self


class Question(_Strict):
    """The question being forecast (``priors/<question>.yaml``)."""

    id: Slug
    title: str = Field(min_length=1)
    horizon: date
    start: date = Field(description="first week the drivers are tracked from (the weekly grid starts here)")
    outcomes: list[Outcome] = Field(min_length=4, max_length=4)
    reference: ReferenceSpec
    links: Links

    @model_validator(mode="after")
    def _outcomes_are_the_states(self) -> Question:
        ids = [o.id for o in self.outcomes]
        if sorted(ids) != sorted(STATES):
            raise ValueError(f"outcomes must be the four states {', '.join(STATES)} (in any order), got {ids}")
        if self.start >= self.horizon:
            raise ValueError(f"start {self.start} must be before the horizon {self.horizon}")
        if self.reference.conflict_start > self.start:
            raise ValueError(
                f"reference.conflict_start {self.reference.conflict_start} is after start {self.start}: the drivers"
                " are tracked in a conflict under way (its age would be negative, and used to be read as 0)"
            )
        return self

    @property
    def outcome_ids(self) -> list[str]:
        return [o.id for o in self.outcomes]


# --- Evidence, version 2 -------------------------------------------------------------------------
#
# An item is a noisy READING of one latent driver at its event date, in driver units: 0 is the
# typical course of a long war of the reference class, +1 / -1 notably above / below typical,
# +-2 exceptional. See docs/evidence.md.

STATE_KIND = "state_change"
STATE_IDS: tuple[str, ...] = tuple(sorted(STATES))

MAX_ABS_SIGNAL = 3.0
"""Readings beyond +-3 driver units are off the scale (+-2 is already exceptional)."""

DOCS = "docs/evidence.md"


def _known_driver(value: str | None, info: ValidationInfo) -> str | None:
    """Driver ids come from the validation context (``drivers``) when given, else ``DRIVER_IDS``."""
    if value is None:
        return value
    drivers = (info.context or {}).get("drivers") or DRIVER_IDS
    if value not in drivers:
        raise ValueError(f"unknown driver {value!r}; drivers are {', '.join(drivers)}")
    return value


def _signal_on_scale(value: float | None) -> float | None:
    if value is None:
        return value
    _finite(value, "signal")
    if abs(value) > MAX_ABS_SIGNAL:
        raise ValueError(
            f"signal {value} is off the scale: driver units run 0 typical, +-1 notable, +-2 exceptional "
            f"(at most +-{MAX_ABS_SIGNAL:g})"
        )
    return value


MeasuredAttribute = Literal["side", "scope", "stage", "mediator", "days"]
MEASURED_ATTRIBUTES: tuple[str, ...] = ("side", "scope", "stage", "mediator", "days")
CELL_VALUES: dict[str, tuple[str, ...]] = {
    "side": ("unilateral", "bilateral"),  # multilateral counts as bilateral, as in the data
    "scope": ("general", "partial"),
    "stage": ("pre_negotiation", "process", "partial"),
}
CELL_ATTRIBUTES: tuple[str, ...] = tuple(CELL_VALUES)
"""Attributes that select a measured hazard ratio (``mediator`` and ``days`` are recorded, not measured)."""


def _retired(field: str, how: str):
    """A validator refusing a version-1 field with a message saying how to migrate."""

    def check(cls: type, value: Any) -> Any:
        raise ValueError(f"`{field}` (version 1) is retired: {how}; see {DOCS}")

    return field_validator(field, mode="before")(classmethod(check))


class Kind(_Strict):
    """One entry of the evidence-kind catalogue (``forecast/inputs/kinds.yaml``).

    ``driver``/``signal`` are the default reading of an item of this kind: ``signal`` driver units
    per ``scale`` units of the item's ``magnitude`` (an item without magnitude reads ``signal``).
    ``driver`` without ``signal``: items must give their own signal. Neither: items must give both
    (``statement``). ``transition: true`` marks the kind of observed state transitions
    (``state_change``), which are not readings and have no driver, signal or sd.
    """

    description: str = Field(min_length=1)
    driver: str | None = None
    signal: float | None = None
    unit: str = Field(default="item", min_length=1)
    scale: float = Field(default=1.0, gt=0)
    sd: float | None = Field(default=None, gt=0, le=3)
    rationale: str = Field(min_length=1)
    transition: bool = False
    measured: bool = Field(
        default=False,
        description="a kind history measures: its effect on each hazard is the measured hazard ratio, not a reading",
    )
    attributes: list[MeasuredAttribute] = Field(
        default_factory=list, description="attributes an item of a measured kind must give"
    )
    optional: list[MeasuredAttribute] = Field(default_factory=list, description="attributes it may give")
    profile: Any = Field(default=None, exclude=True, repr=False)
    diagnosticity_sd: Any = Field(default=None, exclude=True, repr=False)

    _driver_known = field_validator("driver")(classmethod(lambda cls, v, info: _known_driver(v, info)))
    _signal_scale = field_validator("signal")(classmethod(lambda cls, v: _signal_on_scale(v)))
    _no_profile = _retired("profile", "give `driver` and `signal` (the default reading per `scale` units)")
    _no_diagnosticity = _retired("diagnosticity_sd", "give `sd`, the measurement sd of one reading of this kind")

    @field_validator("scale")
    @classmethod
    def _scale_finite(cls, value: float) -> float:
        return _finite(value, "scale")

    def cells(self) -> list[dict[str, str]]:
        """Every combination of this measured kind's selecting attributes (one hazard ratio each)."""
        if not self.measured:
            return []
        combos: list[dict[str, str]] = [{}]
        for name in (a for a in self.attributes if a in CELL_VALUES):
            combos = [{**c, name: v} for c in combos for v in CELL_VALUES[name]]
        return combos

    @model_validator(mode="after")
    def _consistent(self) -> Kind:
        if self.transition or self.measured:
            what = "a transition kind" if self.transition else "a measured kind (its effect is measured on history)"
            given = [name for name in ("driver", "signal", "sd") if getattr(self, name) is not None]
            if given:
                raise ValueError(f"{what} is not a reading: drop {', '.join(given)}")
            if self.transition and self.measured:
                raise ValueError("a kind is either a transition or measured, not both")
            return self
        if self.attributes or self.optional:
            raise ValueError("only measured kinds have `attributes`")
        if self.sd is None:
            raise ValueError("`sd` (measurement sd of one reading of this kind) is required")
        if self.signal is not None and self.driver is None:
            raise ValueError("a default `signal` needs a default `driver`")
        return self


class Reading(_Strict):
    """What an item says about one driver: resolved from the item and its kind."""

    driver: str
    signal: float
    sd: float
    reliability: float


class EvidenceItem(_Strict):
    """One observation, version 2: a reading of one driver at ``date``, or (kind ``state_change``) an
    observed transition to ``state`` on ``date``.

    Validated against the kind catalogue and the driver ids, which arrive through the pydantic
    validation context (``kinds``: id -> Kind; ``drivers``: driver ids, default ``DRIVER_IDS``;
    optionally ``outcomes``: the state ids, default ``STATE_IDS``). Fields keep what the analyst
    wrote; ``reading(kind)`` resolves kind defaults.
    """

    id: Slug
    date: dt.date
    reported: dt.date = Field(default=None, description="when the source appeared (default: date)")  # type: ignore[assignment]  # set from date before validation
    kind: str
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    reliability: float
    driver: str | None = None
    signal: float | None = None
    magnitude: float | None = None
    state: str | None = None
    cluster: Slug | None = None
    side: Literal["unilateral", "bilateral", "multilateral"] | None = Field(
        default=None, description="ceasefire_declared: declared by one side, or agreed by both (or more)"
    )
    scope: Literal["general", "partial"] | None = Field(
        default=None, description="ceasefire_declared: the whole front, or partial (energy, sea, a holiday truce)"
    )
    days: int | None = Field(default=None, ge=1, le=3650, description="ceasefire_declared: announced duration")
    stage: Literal["pre_negotiation", "process", "partial"] | None = Field(
        default=None, description="agreement_signed: the stage of the peace process the document belongs to"
    )
    mediator: str | None = Field(default=None, min_length=1, description="mediation: who mediates")
    tags: list[str] = Field(default_factory=list)
    url: str | None = None
    notes: str | None = None
    likelihood: Any = Field(default=None, exclude=True, repr=False)

    _no_likelihood = _retired(
        "likelihood",
        "give `driver` and `signal` (a reading in driver units: 0 typical, +1 notably above) "
        "or rely on the kind's default",
    )
    _driver_known = field_validator("driver")(classmethod(lambda cls, v, info: _known_driver(v, info)))
    _signal_scale = field_validator("signal")(classmethod(lambda cls, v: _signal_on_scale(v)))

    @model_validator(mode="before")
    @classmethod
    def _reported_defaults_to_date(cls, data: Any) -> Any:
        """``reported`` defaults to ``date``; a bad ``date`` is reported once, on its own field."""
        if isinstance(data, dict) and data.get("reported") is None and "date" in data:
            try:
                dt.date.fromisoformat(str(data["date"]))
            except ValueError:
                return data
            data = {**data, "reported": data["date"]}
        return data

    @field_validator("reliability", mode="before")
    @classmethod
    def _reliability_word(cls, value: Any) -> Any:
        if isinstance(value, str):
            word = value.strip().lower()
            if word not in RELIABILITY_WORDS:
                raise ValueError(f"must be a number in (0, 1] or one of {', '.join(RELIABILITY_WORDS)}; got {value!r}")
            return RELIABILITY_WORDS[word]
        return value

    @field_validator("reliability")
    @classmethod
    def _reliability_range(cls, value: float) -> float:
        if not (math.isfinite(value) and 0 < value <= 1):
            raise ValueError(f"must be in (0, 1], got {value}")
        return value

    @field_validator("stage", mode="before")
    @classmethod
    def _comprehensive_is_the_outcome(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"comprehensive", "full", "peace_agreement"}:
            raise ValueError(
                "a comprehensive agreement signed by both governments is the outcome, not evidence: record it as "
                f"a {STATE_KIND} item with `state: deal` (and a ceasefire in effect as `state: ceasefire`)"
            )
        return value

    @field_validator("magnitude")
    @classmethod
    def _magnitude_finite(cls, value: float | None) -> float | None:
        return None if value is None else _finite(value, "magnitude")

    @field_validator("reported")
    @classmethod
    def _reported_not_before_date(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        happened = info.data.get("date")
        if happened is not None and value < happened:
            raise ValueError(
                f"reported {value} is before the event date {happened}: a source cannot report an event "
                "before it happens (`date` is when the event happened, `reported` when the source appeared)"
            )
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str, info: ValidationInfo) -> str:
        kinds = (info.context or {}).get("kinds")
        if kinds is not None and value not in kinds:
            raise ValueError(f"unknown kind {value!r}; known kinds: {', '.join(sorted(kinds))}")
        return value

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        states = (info.context or {}).get("outcomes") or STATE_IDS
        if value not in states:
            raise ValueError(f"unknown state {value!r}; states are {', '.join(states)}")
        return value

    @model_validator(mode="after")
    def _reading_or_transition(self, info: ValidationInfo) -> EvidenceItem:
        kinds = (info.context or {}).get("kinds") or {}
        kind = kinds.get(self.kind)
        if self.kind == STATE_KIND or (kind is not None and kind.transition):
            if self.state is None:
                raise ValueError(f"a {self.kind} item needs `state` (one of {', '.join(STATE_IDS)})")
            given = [name for name in ("driver", "signal", "magnitude") if getattr(self, name) is not None]
            if given:
                raise ValueError(
                    f"a {self.kind} item is an observed transition, not a reading: drop {', '.join(given)}"
                )
            return self
        if self.state is not None:
            raise ValueError(f"`state` is only for {STATE_KIND} items; kind {self.kind!r} is a reading")
        if kind is not None and kind.measured:
            self._check_measured(kind)
            return self
        stray = [name for name in MEASURED_ATTRIBUTES if getattr(self, name) is not None]
        if stray:
            raise ValueError(f"{', '.join(stray)}: only for the measured kinds, not {self.kind!r}")
        if kind is not None:
            self._resolve(kind)
        return self

    def _check_measured(self, kind: Kind) -> None:
        """A measured item gives its kind's attributes and no reading."""
        given = [name for name in ("driver", "signal", "magnitude") if getattr(self, name) is not None]
        if given:
            raise ValueError(
                f"kind {self.kind!r} is measured on history (its effect is a measured hazard ratio, not a "
                f"reading): drop {', '.join(given)}"
            )
        missing = [name for name in kind.attributes if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} item needs {', '.join(f'`{m}`' for m in missing)}; see {DOCS}")
        allowed = {*kind.attributes, *kind.optional}
        stray = [name for name in MEASURED_ATTRIBUTES if getattr(self, name) is not None and name not in allowed]
        if stray:
            raise ValueError(f"{', '.join(stray)}: not an attribute of {self.kind!r}")

    def measured_attributes(self, kind: Kind) -> dict[str, str] | None:
        """The attributes that select this item's measured hazard ratio (None: not a measured item).

        A multilateral ceasefire counts as bilateral, as in the data the ratios are measured on.
        """
        if not kind.measured:
            return None
        out: dict[str, str] = {name: str(getattr(self, name)) for name in CELL_ATTRIBUTES if name in kind.attributes}
        if out.get("side") == "multilateral":
            out["side"] = "bilateral"
        return out

    def _resolve(self, kind: Kind) -> tuple[str, float]:
        """(driver, signal) of this item given its kind; ValueError saying what is missing."""
        driver = self.driver or kind.driver
        if driver is None:
            raise ValueError(
                f"kind {self.kind!r} has no default reading: give `driver` (one of {', '.join(DRIVER_IDS)}) "
                "and `signal` (driver units: 0 typical, +1 notably above, -1 notably below)"
            )
        if self.signal is not None:
            return driver, self.signal
        if kind.signal is None or driver != kind.driver:
            why = (
                f"kind {self.kind!r} has no default signal"
                if kind.signal is None
                else f"driver {driver!r} is not the kind's default driver {kind.driver!r}, "
                "so the kind's default signal does not apply"
            )
            raise ValueError(f"{why}: give `signal` (driver units: 0 typical, +1 notably above, -1 notably below)")
        units = 1.0 if self.magnitude is None else self.magnitude / kind.scale
        signal = kind.signal * units
        _signal_on_scale(signal)
        return driver, signal

    @property
    def is_transition(self) -> bool:
        return self.state is not None

    def reading(self, kind: Kind) -> Reading | None:
        """The resolved reading (None for a state transition or a measured kind). An explicit ``signal``
        wins over the kind's default ``signal x magnitude / scale``; the kind's ``sd`` is the measurement sd."""
        if self.is_transition or kind.measured:
            return None
        driver, signal = self._resolve(kind)
        assert kind.sd is not None
        return Reading(driver=driver, signal=signal, sd=kind.sd, reliability=self.reliability)


def evidence_file_schema(kinds: dict[str, Kind]) -> dict[str, Any]:
    """JSON Schema of an evidence file (one item or a list of items), kinds listed for completion."""
    item = EvidenceItem.model_json_schema()
    item["properties"]["kind"]["enum"] = sorted(kinds)
    item["properties"]["reliability"] = {
        "anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 1}, {"enum": list(RELIABILITY_WORDS)}],
        "description": "a number in (0, 1] or a word",
    }
    definitions = item.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "forecast evidence file",
        "description": "One evidence item (a mapping) or a list of items.",
        "$defs": {**definitions, "item": item},
        "anyOf": [{"$ref": "#/$defs/item"}, {"type": "array", "items": {"$ref": "#/$defs/item"}}],
    }


# --- Benchmarks: outside forecasts set beside ours ---------------------------------------------

Match = Literal["same", "close", "loose"]


class Benchmark(_Strict):
    """An outside forecast (a prediction market, a forecasting platform, a panel) recorded by an analyst.

    It never enters the model: the briefing charts it on our curves and states the gap, and scoring
    compares it with the run of the same date. ``outcomes`` and ``by`` say which of our numbers it
    is compared with: P(the state on ``by`` is one of ``outcomes``). ``match`` and ``differences``
    say how far their wording is from that (a market that counts any announced ceasefire during a
    year is a ``loose`` match for "a ceasefire in effect on 31 December").
    """

    id: Slug
    source: str = Field(min_length=1, description="who published it, e.g. Polymarket")
    question: str = Field(min_length=1, description="their question, word for word")
    url: str = Field(pattern=r"^https?://", description="where it was seen")
    seen: date = Field(description="the date the probability was read")
    probability: float = Field(ge=0.0, le=1.0)
    outcomes: list[str] = Field(min_length=1, description="our outcomes their 'yes' corresponds to")
    by: date = Field(description="the date of our forecast curves it is compared with")
    match: Match = Field(description="same, close or loose: how well their wording matches ours")
    differences: str = Field(min_length=1, description="how their wording differs from ours, in plain words")
    via: str | None = Field(default=None, description="a report the figure was taken from, if not the source")

    @field_validator("outcomes")
    @classmethod
    def _known_outcomes(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("outcomes", list(STATES))
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"unknown outcome(s) {unknown}; choose from {', '.join(known)}")
        if len(set(value)) != len(value):
            raise ValueError("an outcome is listed twice")
        return value

    @field_validator("probability")
    @classmethod
    def _probability_finite(cls, value: float) -> float:
        return _finite(value, "probability")

    @field_validator("by")
    @classmethod
    def _within_the_question(cls, value: date, info: ValidationInfo) -> date:
        start, horizon = (info.context or {}).get("span", (date.min, date.max))
        if not start <= value <= horizon:
            raise ValueError(f"{value} is outside the question's span {start} .. {horizon}")
        return value
