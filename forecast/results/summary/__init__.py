"""The files a run writes, defined once: ``summary.json`` and ``manifest.json`` as pydantic models.

Runs write through these models, the history and the briefing read through them, and
``forecast schema summary|manifest`` prints their JSON Schema. ``SCHEMA_VERSION`` is the version of
``summary.json`` a reader gets; a reader refuses any other with a clear error. One module per job:
``run_summary`` (``summary.json``), ``manifest`` (``manifest.json``), ``files`` (the atomic writer
and the reader); ``base`` is the model both documents build on.
"""

from .files import Document, read_document, write_atomic, write_document
from .manifest import MANIFEST_NAME, Manifest, SamplerRecord
from .run_summary import (
    DIVERGENCES_MAX,
    ESS_MIN,
    INTERVAL,
    RHAT_MAX,
    SCHEMA_VERSION,
    SUMMARY_NAME,
    BenchmarkComparison,
    CurvePoint,
    Diagnostics,
    DriverState,
    Estimate,
    EventImpact,
    EventReading,
    EvidenceEntry,
    HazardSummary,
    MeasuredRatio,
    OneMoreEvent,
    Pathway,
    ReferenceSummary,
    Sensitivity,
    SensitivityCase,
    SensitivityRow,
    Signposts,
    StateRecord,
    Summary,
    WhyThisNumber,
    union_key,
)

__all__ = [
    "DIVERGENCES_MAX",
    "ESS_MIN",
    "INTERVAL",
    "MANIFEST_NAME",
    "RHAT_MAX",
    "SCHEMA_VERSION",
    "SUMMARY_NAME",
    "BenchmarkComparison",
    "CurvePoint",
    "Diagnostics",
    "Document",
    "DriverState",
    "Estimate",
    "EventImpact",
    "EventReading",
    "EvidenceEntry",
    "HazardSummary",
    "Manifest",
    "MeasuredRatio",
    "OneMoreEvent",
    "Pathway",
    "ReferenceSummary",
    "SamplerRecord",
    "Sensitivity",
    "SensitivityCase",
    "SensitivityRow",
    "Signposts",
    "StateRecord",
    "Summary",
    "WhyThisNumber",
    "read_document",
    "union_key",
    "write_atomic",
    "write_document",
]
