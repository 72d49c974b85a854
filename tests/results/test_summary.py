"""The documents a run writes: one definition, written and read back exactly, other versions refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.results.summary import SCHEMA_VERSION, Manifest, Summary, read_document, write_document
from tests.helpers import manifest_document, summary_document


def test_summary_and_manifest_round_trip_exactly_nan_included(tmp_path: Path) -> None:
    summary = Summary.model_validate(summary_document(rhat_max=math.nan))
    write_document(tmp_path / "summary.json", summary)
    back = read_document(tmp_path / "summary.json", Summary)
    assert math.isnan(back.diagnostics.rhat_max)
    assert back.model_dump(exclude={"diagnostics"}) == summary.model_dump(exclude={"diagnostics"})
    manifest = Manifest.model_validate(manifest_document("2025-11-26"))
    write_document(tmp_path / "manifest.json", manifest)
    assert read_document(tmp_path / "manifest.json", Manifest) == manifest


def test_another_version_or_a_missing_field_is_refused_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    document = summary_document()
    path.write_text(json.dumps(document | {"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(InputError, match=rf"summary.json: schema_version: {SCHEMA_VERSION + 1} is not supported"):
        read_document(path, Summary)
    del document["curves"]
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="summary.json: curves: Field required"):
        read_document(path, Summary)
