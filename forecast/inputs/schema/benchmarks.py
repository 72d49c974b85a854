"""Benchmarks: outside forecasts set beside ours (``benchmarks/*.yaml``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
)

from forecast.states import STATES

from .common import Slug, Strict, finite

Match = Literal["same", "close", "loose"]


class Benchmark(Strict):
    """An outside forecast (a prediction market, a forecasting platform, a panel) recorded by an analyst.

    It never enters the model: the briefing charts it on our curves and states the gap, and scoring
    compares it with the run of the same date. ``outcomes`` and ``by`` say which of our numbers it
    is compared with: P(the state on ``by`` is one of ``outcomes``). ``match`` and ``differences``
    say how far their wording is from that (a market that counts any announced ceasefire during a
    year is a ``loose`` match for "a ceasefire in effect on 31 December"). ``question_id`` names the
    question of ours it maps to: it is never shown on, or scored with, another question.
    """

    id: Slug
    question_id: Slug = Field(description="the id of our question it is set beside (priors/<question>.yaml)")
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

    @field_validator("question_id")
    @classmethod
    def _a_question_of_ours(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("questions")
        if known is not None and value not in known:
            raise ValueError(f"no question {value!r} in the priors; the questions are {', '.join(known)}")
        return value

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
        return finite(value, "probability")

    @field_validator("by")
    @classmethod
    def _within_the_question(cls, value: date, info: ValidationInfo) -> date:
        start, horizon = (info.context or {}).get("span", (date.min, date.max))
        if not start <= value <= horizon:
            raise ValueError(f"{value} is outside the question's span {start} .. {horizon}")
        return value
