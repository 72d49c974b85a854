"""``question.yaml``: the question, its outcomes, its reference class and the link priors."""

from __future__ import annotations

import json
import re
from datetime import date

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from forecast.reference.spec import ReferenceSpec
from forecast.states import STATES, TRANSITION_LABELS

from .common import DRIVER_IDS, Slug, Strict

MAX_LINK_MEAN = 3.0
"""A link mean beyond +-3 (a driver one sd up multiplying a hazard by 20) is refused: NaN and 1e6 used to pass."""


class Outcome(Strict):
    id: Slug
    label: str = Field(min_length=1)
    definition: str = Field(min_length=1)


class Link(Strict):
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
    def known_driver(cls, value: str) -> str:
        if value not in DRIVER_IDS:
            raise ValueError(f"unknown driver {value!r}; drivers are {', '.join(DRIVER_IDS)}")
        return value


class Links(Strict):
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


class Question(Strict):
    """The question being forecast (``priors/<question>.yaml``)."""

    id: Slug
    title: str = Field(min_length=1)
    horizon: date
    start: date = Field(description="first week the drivers are tracked from (the weekly grid starts here)")
    outcomes: list[Outcome] = Field(min_length=4, max_length=4)
    reference: ReferenceSpec
    links: Links

    @field_validator("id")
    @classmethod
    def _a_folder_name_of_its_own(cls, value: str) -> str:
        """The id names the question's folder of runs beside ``resolutions/`` and the run dates."""
        if value == "resolutions" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} cannot be a question id: it names a folder of the run outputs")
        return value

    def model_key(self) -> str:
        """What fixes the model apart from the horizon (grid start, reference class, links): questions with
        the same key are one story told to two dates, and share one fit on the longer grid."""
        return json.dumps(self.model_dump(mode="json", include={"start", "reference", "links"}), sort_keys=True)

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
