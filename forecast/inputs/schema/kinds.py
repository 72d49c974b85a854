"""The evidence-kind catalogue (``forecast/inputs/kinds.yaml``): what each kind reads or measures."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from .common import Strict, finite, known_driver, retired, signal_on_scale

MeasuredAttribute = Literal["side", "scope", "stage", "mediator", "days"]
MEASURED_ATTRIBUTES: tuple[str, ...] = ("side", "scope", "stage", "mediator", "days")
CELL_VALUES: dict[str, tuple[str, ...]] = {
    "side": ("unilateral", "bilateral"),  # multilateral counts as bilateral, as in the data
    "scope": ("general", "partial"),
    "stage": ("pre_negotiation", "process", "partial"),
}
CELL_ATTRIBUTES: tuple[str, ...] = tuple(CELL_VALUES)
"""Attributes that select a measured hazard ratio (``mediator`` and ``days`` are recorded, not measured)."""


class Kind(Strict):
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

    _driver_known = field_validator("driver")(classmethod(lambda cls, v, info: known_driver(v, info)))
    _signal_scale = field_validator("signal")(classmethod(lambda cls, v: signal_on_scale(v)))
    _no_profile = retired("profile", "give `driver` and `signal` (the default reading per `scale` units)")
    _no_diagnosticity = retired("diagnosticity_sd", "give `sd`, the measurement sd of one reading of this kind")

    @field_validator("scale")
    @classmethod
    def _scale_finite(cls, value: float) -> float:
        return finite(value, "scale")

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
