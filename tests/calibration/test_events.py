"""The shipped event table: checksum against its README, loader errors, and the kind cells."""

from __future__ import annotations

import hashlib
import re

import pytest

from forecast.calibration.events import CELL_KEYS, events_path, load_events
from forecast.calibration.weights import load_weights
from forecast.errors import InputError
from forecast.reference.data import DEFAULT_DATA_DIR, read_acd


def test_events_checksum_matches_readme() -> None:
    text = (DEFAULT_DATA_DIR / "README-events.md").read_text()
    digest = re.search(r"`events.csv`: \d+ bytes, sha256 `([0-9a-f]{64})`", text)
    assert digest is not None
    assert hashlib.sha256(events_path().read_bytes()).hexdigest() == digest.group(1)


def test_every_row_is_a_known_cell() -> None:
    events = load_events()
    assert set(events["cell"]) == set(CELL_KEYS)
    assert events["event_id"].is_unique


def test_missing_event_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="events.csv"):
        load_events(tmp_path)


def test_unreadable_event_file_is_an_input_error(tmp_path) -> None:
    (tmp_path / "events.csv").write_text("event_id,dataset\nx,y\n")
    with pytest.raises(InputError, match="events.csv"):
        load_events(tmp_path)


def test_bad_weights_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="evidence_weights.json"):
        load_weights(tmp_path)
    (tmp_path / "evidence_weights.json").write_text("{}")
    with pytest.raises(InputError, match="evidence_weights.json"):
        load_weights(tmp_path)


def test_read_acd_keeps_episode_end_dates() -> None:
    acd = read_acd()
    dated = acd["ep_end_date"] != ""
    assert dated.sum() == 559
    assert acd.loc[dated, "ep_end_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
