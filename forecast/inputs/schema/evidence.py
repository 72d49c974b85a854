"""Evidence, version 2: the evidence items analysts write (their kinds: ``kinds``).

An item is a noisy READING of one latent driver at its event date, in driver units: 0 is the
typical course of a long war of the reference class, +1 / -1 notably above / below typical,
+-2 exceptional. See docs/evidence.md.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from forecast.states import STATES

from .common import DOCS, DRIVER_IDS, Slug, Strict, finite, known_driver, retired, signal_on_scale
from .kinds import CELL_ATTRIBUTES, MEASURED_ATTRIBUTES, Kind

RELIABILITY_WORDS: dict[str, float] = {"low": 0.3, "medium": 0.6, "high": 0.85, "confirmed": 1.0}
STATE_KIND = "state_change"
STATE_IDS: tuple[str, ...] = tuple(sorted(STATES))


class Reading(Strict):
    """What an item says about one driver: resolved from the item and its kind."""

    driver: str
    signal: float
    sd: float
    reliability: float


class EvidenceItem(Strict):
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

    _no_likelihood = retired(
        "likelihood",
        "give `driver` and `signal` (a reading in driver units: 0 typical, +1 notably above) "
        "or rely on the kind's default",
    )
    _driver_known = field_validator("driver")(classmethod(lambda cls, v, info: known_driver(v, info)))
    _signal_scale = field_validator("signal")(classmethod(lambda cls, v: signal_on_scale(v)))

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
        return None if value is None else finite(value, "magnitude")

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
        signal_on_scale(signal)
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
