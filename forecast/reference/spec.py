"""The question file's ``reference:`` section."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from forecast.reference.classes import REFERENCE_CLASSES, ReferenceFilters, reference_class

Dataset = Literal["ucdp_termination", "ucdp_prio_acd"]
DATASETS: tuple[Dataset, ...] = ("ucdp_termination", "ucdp_prio_acd")


class ReferenceSpec(BaseModel):
    """Which reference class the question's baseline hazards come from, and how far to trust it.

    ``filters`` overrides the named class's filters field by field. ``mismatch`` >= 1 is the factor by
    which the question may differ from the class; it widens every log-hazard sd as
    sqrt(sd^2 + log(mismatch)^2).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    data: list[Dataset] = Field(default_factory=lambda: list(DATASETS), min_length=1)
    class_: str = Field(default="long_wars", alias="class")
    filters: dict[str, int | bool] | None = None
    conflict_start: date
    mismatch: float = Field(default=1.0, ge=1.0, le=100.0, allow_inf_nan=False)
    provenance: str = ""

    @field_validator("class_")
    @classmethod
    def _known_class(cls, value: str) -> str:
        if value not in REFERENCE_CLASSES:
            raise ValueError(f"unknown reference class {value!r}; choose one of {sorted(REFERENCE_CLASSES)}")
        return value

    @field_validator("filters")
    @classmethod
    def _valid_filters(cls, value: dict[str, int | bool] | None) -> dict[str, int | bool] | None:
        if value is not None:
            ReferenceFilters.model_validate(value)
        return value

    @field_validator("data")
    @classmethod
    def _both_files(cls, value: list[str]) -> list[str]:
        # Endings come from the termination data, episode boundaries and filters from the ACD.
        missing = {"ucdp_termination", "ucdp_prio_acd"} - set(value)
        if missing:
            raise ValueError(f"this version needs both files; missing {sorted(missing)}")
        return value

    def resolved_filters(self) -> ReferenceFilters:
        """The class's filters with this spec's overrides applied."""
        base = reference_class(self.class_).filters.model_dump()
        return ReferenceFilters.model_validate({**base, **(self.filters or {})})
