"""Pydantic schemas of the files analysts write: the question, the kind catalogue, evidence items, benchmarks.

Validation lives here and only here; loaders turn pydantic errors into ``file:line: field``
messages. Every model forbids unknown fields so a misspelt key never passes silently. One module
per kind of file: ``question`` (the question and its links), ``kinds`` (the evidence-kind catalogue),
``evidence`` (evidence items), ``benchmarks`` (outside forecasts); ``common`` holds what they share.
"""

from .benchmarks import Benchmark, Match
from .common import DRIVER_IDS, MAX_ABS_SIGNAL, SLUG, Slug
from .evidence import RELIABILITY_WORDS, STATE_IDS, STATE_KIND, EvidenceItem, Reading, evidence_file_schema
from .kinds import CELL_ATTRIBUTES, CELL_VALUES, MEASURED_ATTRIBUTES, Kind, MeasuredAttribute
from .question import MAX_LINK_MEAN, Link, Links, Outcome, Question

__all__ = [
    "CELL_ATTRIBUTES",
    "CELL_VALUES",
    "DRIVER_IDS",
    "MAX_ABS_SIGNAL",
    "MAX_LINK_MEAN",
    "MEASURED_ATTRIBUTES",
    "RELIABILITY_WORDS",
    "SLUG",
    "STATE_IDS",
    "STATE_KIND",
    "Benchmark",
    "EvidenceItem",
    "Kind",
    "Link",
    "Links",
    "Match",
    "MeasuredAttribute",
    "Outcome",
    "Question",
    "Reading",
    "Slug",
    "evidence_file_schema",
]
