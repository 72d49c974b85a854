"""Named reference classes: which episodes and which years of them count as "like the question"."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReferenceFilters(BaseModel):
    """Risk-set filters. Ages are completed years since the episode's first year (0 in year 1).

    ``min_age_years`` left-truncates: only years at age >= N count, so the hazard is conditional
    on having lasted N years. ``war_intensity_only`` starts the risk set at the episode's first
    war-intensity year (1,000+ deaths), which avoids selecting on the future.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_age_years: int = Field(default=0, ge=0)
    interstate_only: bool = False
    war_intensity_only: bool = False


class ReferenceClass(BaseModel):
    """A named alternative for sensitivity work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    filters: ReferenceFilters


def _cls(name: str, description: str, **filters: int | bool) -> ReferenceClass:
    return ReferenceClass(name=name, description=description, filters=ReferenceFilters.model_validate(filters))


REFERENCE_CLASSES: dict[str, ReferenceClass] = {
    c.name: c
    for c in (
        _cls("all_conflicts", "Every UCDP state-based conflict episode, 1946-2024."),
        _cls("wars", "Episodes from their first war-intensity year (1,000+ battle deaths).", war_intensity_only=True),
        _cls("long_conflicts", "Episode-years at age 3+ (4th year of the episode onwards).", min_age_years=3),
        _cls(
            "long_wars",
            "War-intensity episodes, years at age 3+ (4th year onwards).",
            min_age_years=3,
            war_intensity_only=True,
        ),
        _cls("interstate", "Conflicts coded interstate (type 2) in any year.", interstate_only=True),
        _cls(
            "interstate_wars",
            "Interstate conflicts, from their first war-intensity year.",
            interstate_only=True,
            war_intensity_only=True,
        ),
        _cls(
            "interstate_long_wars",
            "Interstate conflicts from their first war year, years at age 3+ (very few events).",
            min_age_years=3,
            interstate_only=True,
            war_intensity_only=True,
        ),
    )
}


def reference_class(name: str) -> ReferenceClass:
    """Look a class up by name, listing the choices if it is unknown."""
    try:
        return REFERENCE_CLASSES[name]
    except KeyError:
        raise KeyError(f"unknown reference class {name!r}; choose one of {sorted(REFERENCE_CLASSES)}") from None
