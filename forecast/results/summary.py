"""The files a run writes, defined once: ``summary.json`` and ``manifest.json`` as pydantic models.

Runs write through these models, the history and the briefing read through them, and
``forecast schema summary|manifest`` prints their JSON Schema. ``SCHEMA_VERSION`` is the version of
``summary.json`` a reader gets; a reader refuses any other with a clear error.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forecast.errors import InputError, Problem
from forecast.inputs.schema import Question

SCHEMA_VERSION: Literal[1] = 1
INTERVAL = 0.9  # central credible interval reported as low/high
RHAT_MAX = 1.01  # sampler checks: a run past any threshold is flagged in the briefing
ESS_MIN = 400.0
DIVERGENCES_MAX = 0

SUMMARY_NAME = "summary.json"
MANIFEST_NAME = "manifest.json"

Document = TypeVar("Document", bound=BaseModel)


class _Document(BaseModel):
    # NaN (an R-hat that could not be computed) is written as NaN, as json.dumps does, and read back
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="constants")


class Estimate(_Document):
    """A probability and its central credible interval."""

    mean: float
    low: float
    high: float


class Diagnostics(_Document):
    rhat_max: float = Field(description="largest R-hat over the sampled parameters")
    ess_bulk_min: float = Field(description="smallest bulk effective sample size")
    divergences: int
    warnings: list[str] = Field(description=f"every R-hat > {RHAT_MAX}, ESS < {ESS_MIN:.0f} or divergence")
    sampler: str
    chains: int
    draws: int
    tune: int
    seed: int
    log_marginal_likelihood: dict[str, float] = Field(default_factory=dict)


class EvidenceEntry(_Document):
    """What the briefing shows of one item used by the run."""

    date: date
    kind: str
    title: str
    source: str
    reliability: float
    cluster: str | None = None
    weight: float
    file: str


class Summary(_Document):
    """``summary.json``: what one run forecast, from which evidence, and how well it sampled."""

    schema_version: Literal[1] = SCHEMA_VERSION
    run_id: str = Field(description="as-of date + hash of inputs, seed and sampler settings")
    as_of: date
    horizon: date
    question: Question
    interval: float = INTERVAL
    outcomes: dict[str, Estimate]
    diagnostics: Diagnostics
    evidence: dict[str, dict[str, float]] = Field(description="item id -> outcome -> impact on the probability")
    evidence_items: dict[str, EvidenceEntry]
    excluded_after_as_of: list[str] = Field(default_factory=list)


class SamplerRecord(_Document):
    chains: int
    draws: int
    tune: int


class Manifest(_Document):
    """``manifest.json``: what a run read (SHA-256 of every input) and with what software."""

    as_of: date
    seed: int
    command: str
    inputs: dict[str, str]
    versions: dict[str, str]
    sampler: SamplerRecord


def write_document(path: Path, document: BaseModel) -> None:
    """Write a document as indented UTF-8 JSON."""
    path.write_text(document.model_dump_json(indent=2) + "\n", encoding="utf-8")


def read_document(path: Path, model: type[Document]) -> Document:
    """Read and validate a document; every problem is an :class:`InputError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "", "not found (is this a run folder?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, "", f"cannot be read: {exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, "", f"invalid JSON: {exc.msg}") from None
    _check_version(path, raw, model)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InputError.of([_problem(path, e) for e in exc.errors()]) from None


def _check_version(path: Path, raw: Any, model: type[BaseModel]) -> None:
    if model is Summary and isinstance(raw, dict) and raw.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            path,
            None,
            "schema_version",
            f"{raw.get('schema_version')!r} is not supported (this version reads {SCHEMA_VERSION})",
        )


def _problem(path: Path, error: Any) -> Problem:
    return Problem(str(path), None, ".".join(str(p) for p in error["loc"]), error["msg"])
