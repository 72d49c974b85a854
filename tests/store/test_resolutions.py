"""Resolutions: one document per question, conflicting re-resolutions refused, unknown outcomes named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.store.resolutions import ResolutionConflict, load_resolutions, record_resolution, resolutions_path
from tests.helpers import shipped_question


def test_a_resolution_is_recorded_and_read_back(tmp_path: Path) -> None:
    q = shipped_question()
    record_resolution(tmp_path, q, "war", date(2025, 12, 31), source="https://example.org", note="no ceasefire")
    record_resolution(tmp_path, q, "ceasefire", q.horizon)
    got = load_resolutions(tmp_path, q)
    assert [(o.date, o.outcome) for o in got.observations] == [(date(2025, 12, 31), "war"), (q.horizon, "ceasefire")]
    assert got.resolved is not None and got.resolved.outcome == "ceasefire"
    assert got.on(date(2025, 12, 31)).source == "https://example.org"
    assert not list(resolutions_path(tmp_path, q.id).parent.glob(".*.tmp"))  # no temporary file left


def test_a_conflicting_re_resolution_is_refused_without_force(tmp_path: Path) -> None:
    q = shipped_question()
    record_resolution(tmp_path, q, "war", q.horizon)
    record_resolution(tmp_path, q, "war", q.horizon)  # the same outcome again: fine
    with pytest.raises(ResolutionConflict, match="recorded as 'war'"):
        record_resolution(tmp_path, q, "deal", q.horizon)
    assert load_resolutions(tmp_path, q).resolved.outcome == "war"
    record_resolution(tmp_path, q, "deal", q.horizon, force=True)
    assert load_resolutions(tmp_path, q).resolved.outcome == "deal"
    assert len(load_resolutions(tmp_path, q).observations) == 1


def test_an_unknown_outcome_or_a_date_outside_the_question_is_refused(tmp_path: Path) -> None:
    q = shipped_question()
    with pytest.raises(InputError, match="unknown outcome 'peace'"):
        record_resolution(tmp_path, q, "peace", q.horizon)
    with pytest.raises(InputError, match="outside the question's span"):
        record_resolution(tmp_path, q, "war", date(2027, 1, 1))
    assert not resolutions_path(tmp_path, q.id).exists()


def test_a_damaged_resolutions_file_is_located(tmp_path: Path) -> None:
    q = shipped_question()
    record_resolution(tmp_path, q, "war", q.horizon)
    path = resolutions_path(tmp_path, q.id)
    doc = json.loads(path.read_text())
    doc["observations"][0]["date"] = "not a date"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        load_resolutions(tmp_path, q)
    assert f"{path}: observations.0.date:" in str(caught.value)
