"""What every input schema shares: the strict base model, slugs, the driver ids and the rules on readings."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

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
MAX_ABS_SIGNAL = 3.0
"""Readings beyond +-3 driver units are off the scale (+-2 is already exceptional)."""
DOCS = "docs/evidence.md"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


def known_driver(value: str | None, info: ValidationInfo) -> str | None:
    """Driver ids come from the validation context (``drivers``) when given, else ``DRIVER_IDS``."""
    if value is None:
        return value
    drivers = (info.context or {}).get("drivers") or DRIVER_IDS
    if value not in drivers:
        raise ValueError(f"unknown driver {value!r}; drivers are {', '.join(drivers)}")
    return value


def signal_on_scale(value: float | None) -> float | None:
    if value is None:
        return value
    finite(value, "signal")
    if abs(value) > MAX_ABS_SIGNAL:
        raise ValueError(
            f"signal {value} is off the scale: driver units run 0 typical, +-1 notable, +-2 exceptional "
            f"(at most +-{MAX_ABS_SIGNAL:g})"
        )
    return value


def retired(field: str, how: str):
    """A validator refusing a version-1 field with a message saying how to migrate."""

    def check(cls: type, value: Any) -> Any:
        raise ValueError(f"`{field}` (version 1) is retired: {how}; see {DOCS}")

    return field_validator(field, mode="before")(classmethod(check))
