"""``manifest.json``: what a run read and with what software."""

from __future__ import annotations

from datetime import date

from .base import DocumentModel

MANIFEST_NAME = "manifest.json"


class SamplerRecord(DocumentModel):
    chains: int
    draws: int
    tune: int
    sampler: str = "pymc"  # or nutpie (manifests before version 3 name none: PyMC's)


class Manifest(DocumentModel):
    """``manifest.json``: what a run read (SHA-256 of every input) and with what software."""

    as_of: date
    seed: int
    command: str
    inputs: dict[str, str]
    versions: dict[str, str]
    sampler: SamplerRecord
