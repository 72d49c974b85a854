"""Pydantic schemas of the files analysts write: the question, the kind catalogue, evidence items.

Validation lives here and only here; loaders turn pydantic errors into ``file:line: field``
messages. Every model forbids unknown fields so a misspelt key never passes silently.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from forecast.reference.spec import ReferenceSpec

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=80)]

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


class Prior(_Strict):
    base_rates: dict[str, float]
    strength: float = Field(gt=0)
    provenance: str = Field(min_length=1)

    @field_validator("base_rates")
    @classmethod
    def _rates_are_a_distribution(cls, rates: dict[str, float]) -> dict[str, float]:
        for key, value in rates.items():
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"base rate of {key!r} must be a positive finite number")
        if abs(sum(rates.values()) - 1.0) > 1e-6:
            raise ValueError(f"base rates must sum to 1, they sum to {sum(rates.values()):.6f}")
        return rates


class Question(_Strict):
    """The question being forecast (``priors/<question>.yaml``)."""

    id: Slug
    title: str = Field(min_length=1)
    horizon: date
    outcomes: list[Outcome] = Field(min_length=2)
    reference: ReferenceSpec
    prior: Prior
    half_life_days: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _outcomes_match_prior(self) -> Question:
        ids = [o.id for o in self.outcomes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"outcome ids must be unique: {ids}")
        if set(self.prior.base_rates) != set(ids):
            raise ValueError(
                f"prior.base_rates must name exactly the outcomes {ids}, got {sorted(self.prior.base_rates)}"
            )
        return self

    @property
    def outcome_ids(self) -> list[str]:
        return [o.id for o in self.outcomes]


class Kind(_Strict):
    """One entry of the evidence-kind catalogue."""

    description: str
    unit: str = "item"
    scale: float = Field(default=1.0, gt=0)
    profile: dict[str, float] | None = None
    diagnosticity_sd: float = Field(gt=0, le=3)

    @field_validator("profile")
    @classmethod
    def _profile_finite(cls, profile: dict[str, float] | None) -> dict[str, float] | None:
        for key, value in (profile or {}).items():
            _finite(value, f"profile[{key}]")
        return profile


class EvidenceItem(_Strict):
    """One observation. Validated against the question's outcomes and the kind catalogue,
    which arrive through the pydantic validation context (``outcomes``, ``kinds``)."""

    id: Slug
    date: date
    kind: str
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    reliability: float
    likelihood: dict[str, float] | None = Field(default=None, validate_default=True)
    magnitude: float | None = None
    cluster: Slug | None = None
    tags: list[str] = Field(default_factory=list)
    url: str | None = None
    notes: str | None = None

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

    @field_validator("magnitude")
    @classmethod
    def _magnitude_positive(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(f"must be a positive finite number, got {value}")
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str, info: ValidationInfo) -> str:
        kinds = (info.context or {}).get("kinds")
        if kinds is not None and value not in kinds:
            raise ValueError(f"unknown kind {value!r}; known kinds: {', '.join(sorted(kinds))}")
        return value

    @field_validator("likelihood")
    @classmethod
    def _likelihood_complete(cls, value: dict[str, float] | None, info: ValidationInfo) -> dict[str, float] | None:
        if value is None:
            kinds = (info.context or {}).get("kinds") or {}
            kind = kinds.get(info.data.get("kind", ""))
            if kind is not None and kind.profile is None:
                raise ValueError(f"kind {info.data['kind']!r} has no default profile, so `likelihood` is required")
            return value
        for key, number in value.items():
            if not (math.isfinite(number) and number > 0):
                raise ValueError(f"likelihood of {key!r} must be a positive finite number, got {number}")
        outcomes = (info.context or {}).get("outcomes")
        if outcomes is not None:
            unknown = sorted(set(value) - set(outcomes))
            missing = [o for o in outcomes if o not in value]
            if unknown:
                raise ValueError(f"unknown outcome(s) {unknown}; outcomes are {list(outcomes)}")
            if missing:
                raise ValueError(f"missing outcome(s) {missing}; give all of {list(outcomes)}")
        return value


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
