"""``resolutions/<question>.json``: the states of the conflict observed on given dates, defined once.

A resolution is a fact recorded by an analyst (``forecast resolve``), not a model output: the
state observed on one date, with where it was read. The state on the question's horizon resolves
the question; other dates let outside forecasts with another ``by`` date be scored.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

RESOLUTIONS_DIR = "resolutions"


class Observation(BaseModel):
    """The state observed on one date."""

    model_config = ConfigDict(extra="forbid")

    date: date
    outcome: str = Field(description="one of the question's outcome ids")
    source: str | None = Field(default=None, description="where the state was read (a URL)")
    note: str | None = None
    recorded_at: str = Field(description="UTC time the observation was recorded")


class Resolutions(BaseModel):
    """Every observed state of one question, one per date, oldest first."""

    model_config = ConfigDict(extra="forbid")

    question_id: str
    horizon: date
    observations: list[Observation] = Field(default_factory=list)

    def on(self, day: date) -> Observation | None:
        """The observation recorded for ``day``, if any."""
        return next((o for o in self.observations if o.date == day), None)

    @property
    def resolved(self) -> Observation | None:
        """The state on the horizon: the question's resolution, once recorded."""
        return self.on(self.horizon)
