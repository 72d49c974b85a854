"""The version-2 evidence contract: schema, kind catalogue and the shipped evidence files."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from forecast.inputs.schema import DRIVER_IDS, STATE_KIND, EvidenceItem, Kind

ROOT = Path(__file__).resolve().parents[2]
KINDS_PATH = ROOT / "forecast" / "inputs" / "kinds.yaml"
EVIDENCE = ROOT / "evidence"

# Seed 003 is undated. Its latest events, in its own words:
#   "Details of the proposal have been conveyed to Russian President Vladimir Putin via his envoy,
#    Kirill Dmitriev, who reportedly briefed Putin on his recent talks with Trump's envoys in
#    Miami. The Kremlin is currently formulating its official response"
#   "A majority of Russians (55%) reportedly expect the war to conclude in 2026, with 70% linking
#    their optimism for the new year to the conflict's resolution."
# The text alone places it after the Miami talks of 30 November 2025 (TEXT_BOUND). The record
# dates those events: Dmitriev's Miami talks 20-21 Dec 2025, Peskov's "Dmitriev has briefed the
# president ... we will formulate our position" and VTsIOM's year-end survey both 24 Dec 2025. So
# the text cannot exist before 24 December 2025 (SEED_003_REPORTED).
TEXT_BOUND = date(2025, 11, 30)
SEED_003_REPORTED = date(2025, 12, 24)
SEED_003 = re.compile(r"seed 003", re.IGNORECASE)


def load_kinds() -> dict[str, Kind]:
    raw = yaml.safe_load(KINDS_PATH.read_text())
    return {kind_id: Kind.model_validate(entry) for kind_id, entry in raw.items()}


KINDS = load_kinds()
CONTEXT = {"kinds": KINDS, "drivers": DRIVER_IDS}


def evidence_files() -> list[Path]:
    return sorted(p for p in EVIDENCE.rglob("*") if p.suffix in {".yaml", ".yml"})


def raw_entries() -> list[tuple[Path, dict[str, Any]]]:
    entries = []
    for path in evidence_files():
        data = yaml.safe_load(path.read_text())
        for entry in data if isinstance(data, list) else [data]:
            entries.append((path, entry))
    return entries


def shipped_items() -> list[tuple[Path, EvidenceItem]]:
    return [(path, EvidenceItem.model_validate(entry, context=CONTEXT)) for path, entry in raw_entries()]


def item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "an-item",
        "date": "2025-11-20",
        "kind": "talks_held",
        "title": "A round of talks",
        "source": "A test",
        "reliability": "high",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def errors_of(entry: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        EvidenceItem.model_validate(entry, context=CONTEXT)
    return caught.value.errors()


# --- the shipped files --------------------------------------------------------------------------


def test_evidence_files_exist():
    assert len(evidence_files()) >= 5
    assert 40 <= len(raw_entries()) <= 55


@pytest.mark.parametrize("path", evidence_files(), ids=lambda p: p.name)
def test_every_shipped_file_validates(path: Path):
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, list | dict)
    for entry in data if isinstance(data, list) else [data]:
        assert "likelihood" not in entry, f"{entry.get('id')}: version-1 field left in {path.name}"
        EvidenceItem.model_validate(entry, context=CONTEXT)


def test_ids_unique():
    ids = [i.id for _, i in shipped_items()]
    assert len(ids) == len(set(ids)), sorted({x for x in ids if ids.count(x) > 1})


def test_every_reading_resolves_to_a_known_driver():
    for _, i in shipped_items():
        reading = i.reading(KINDS[i.kind])
        if i.kind == STATE_KIND or KINDS[i.kind].measured:  # transitions and measured kinds are not readings
            assert reading is None
            continue
        assert reading is not None and reading.driver in DRIVER_IDS
        assert abs(reading.signal) <= 2, f"{i.id}: {reading.signal} is beyond exceptional"


def test_no_item_dated_after_it_was_reported():
    for path, i in shipped_items():
        assert i.date <= i.reported, f"{path.name}: {i.id}"


def test_seed_003_items_are_not_reported_before_its_latest_events():
    seed_003 = [(path, i) for path, i in shipped_items() if SEED_003.search(i.source)]
    assert len(seed_003) >= 8
    for path, i in seed_003:
        assert i.reported >= TEXT_BOUND, f"{path.name}: {i.id}"
        assert i.reported >= SEED_003_REPORTED, f"{path.name}: {i.id} reported {i.reported}"


def test_no_seed_003_item_shares_a_cluster_with_earlier_sources():
    by_cluster: dict[str, set[bool]] = defaultdict(set)
    for _, i in shipped_items():
        if i.cluster:
            by_cluster[i.cluster].add(bool(SEED_003.search(i.source)))
    mixed = [c for c, kinds in by_cluster.items() if len(kinds) > 1]
    assert not mixed, mixed


def test_a_cluster_is_one_event_one_reading():
    """Reports of one event share a cluster: same date, same driver, same signal."""
    readings: dict[str, set[tuple]] = defaultdict(set)
    for _, i in shipped_items():
        if i.cluster:
            r = i.reading(KINDS[i.kind])
            assert r is not None
            readings[i.cluster].add((i.date, r.driver, round(r.signal, 9)))
    split = {c: v for c, v in readings.items() if len(v) > 1}
    assert not split, split


# --- the kind catalogue -------------------------------------------------------------------------


def test_required_kinds_present():
    required = {
        "statement",
        "talks_held",
        "talks_delayed",
        "proposal",
        "battlefield_gain",
        "strike",
        "security_guarantee",
        "sanctions",
        "poll",
        "mediation",
        "state_change",
    }
    assert required <= set(KINDS)


@pytest.mark.parametrize("kind_id", sorted(KINDS))
def test_every_kind_has_a_rationale_and_a_driver(kind_id: str):
    kind = KINDS[kind_id]
    assert len(kind.rationale.split()) >= 8
    if kind_id in {"statement", STATE_KIND} or kind.measured:
        assert kind.driver is None and kind.signal is None
        assert not kind.measured or kind.attributes or kind_id == "mediation"
    else:
        assert kind.driver in DRIVER_IDS
        assert kind.signal is not None and kind.sd is not None


def test_measured_items_need_their_attributes_and_refuse_a_reading():
    base = {
        "id": "cf",
        "date": "2025-11-20",
        "kind": "ceasefire_declared",
        "title": "t",
        "source": "s",
        "reliability": "high",
    }
    with pytest.raises(ValidationError, match="needs `side`, `scope`"):
        EvidenceItem.model_validate(base, context=CONTEXT)
    with pytest.raises(ValidationError, match="drop signal"):
        EvidenceItem.model_validate({**base, "side": "bilateral", "scope": "general", "signal": 0.5}, context=CONTEXT)
    with pytest.raises(ValidationError, match="is the outcome"):
        EvidenceItem.model_validate({**base, "kind": "agreement_signed", "stage": "comprehensive"}, context=CONTEXT)
    item = EvidenceItem.model_validate({**base, "side": "multilateral", "scope": "partial"}, context=CONTEXT)
    assert item.measured_attributes(KINDS["ceasefire_declared"]) == {"side": "bilateral", "scope": "partial"}
    with pytest.raises(ValidationError, match="only for the measured kinds"):
        EvidenceItem.model_validate({**base, "kind": "talks_held", "side": "bilateral"}, context=CONTEXT)


def test_routine_strike_reads_zero():
    strike = KINDS["strike"]
    assert strike.signal is not None and abs(strike.signal) <= 0.1
    resolved = EvidenceItem.model_validate(item(kind="strike"), context=CONTEXT).reading(strike)
    assert resolved is not None and abs(resolved.signal) <= 0.1


def test_state_change_kind_is_a_transition():
    assert KINDS[STATE_KIND].transition and KINDS[STATE_KIND].sd is None


def test_kind_refuses_version_1_fields_and_unknown_drivers():
    base = {"description": "d", "driver": "diplomacy", "signal": 0.2, "sd": 0.5, "rationale": "why"}
    with pytest.raises(ValidationError, match="`profile` \\(version 1\\) is retired"):
        Kind.model_validate({**base, "profile": {"deal": 0.1}})
    with pytest.raises(ValidationError, match="unknown driver"):
        Kind.model_validate({**base, "driver": "morale"})
    with pytest.raises(ValidationError, match="rationale"):
        Kind.model_validate({k: v for k, v in base.items() if k != "rationale"})


# --- the item contract --------------------------------------------------------------------------


def test_likelihood_gives_the_migration_error():
    errors = errors_of(item(likelihood={"deal": 1.2, "ceasefire": 1.1, "frozen": 1.0, "war": 0.9}))
    assert [e["loc"] for e in errors] == [("likelihood",)]
    message = errors[0]["msg"]
    assert "`likelihood` (version 1) is retired" in message
    assert "`driver` and `signal`" in message and "docs/evidence.md" in message


def test_unknown_fields_stay_errors():
    errors = errors_of(item(profile={"deal": 1}))
    assert errors[0]["type"] == "extra_forbidden" and errors[0]["loc"] == ("profile",)


def test_reported_defaults_to_date_and_is_never_before_it():
    plain = EvidenceItem.model_validate(item(), context=CONTEXT)
    assert plain.reported == plain.date == date(2025, 11, 20)
    later = EvidenceItem.model_validate(item(reported="2025-11-26"), context=CONTEXT)
    assert later.reported == date(2025, 11, 26)
    errors = errors_of(item(reported="2025-11-19"))
    assert errors[0]["loc"] == ("reported",) and "before the event date" in errors[0]["msg"]


def test_statement_needs_driver_and_signal():
    for changes in ({}, {"driver": "diplomacy"}, {"signal": 0.5}):
        errors = errors_of(item(kind="statement", **changes))
        assert any("statement" in e["msg"] and "signal" in e["msg"] for e in errors), errors
    ok = EvidenceItem.model_validate(item(kind="statement", driver="russia_flexibility", signal=-0.4), context=CONTEXT)
    reading = ok.reading(KINDS["statement"])
    assert reading is not None and (reading.driver, reading.signal) == ("russia_flexibility", -0.4)


def test_state_change_requires_state_and_refuses_a_reading():
    assert "state" in errors_of(item(kind="state_change"))[0]["msg"]
    for changes in ({"driver": "diplomacy"}, {"signal": 0.5}, {"driver": "diplomacy", "signal": 0.5}):
        errors = errors_of(item(kind="state_change", state="ceasefire", **changes))
        assert "not a reading" in errors[0]["msg"]
    ok = EvidenceItem.model_validate(item(kind="state_change", state="ceasefire"), context=CONTEXT)
    assert ok.state == "ceasefire" and ok.reading(KINDS[STATE_KIND]) is None
    assert errors_of(item(kind="state_change", state="truce"))[0]["loc"] == ("state",)
    assert "only for state_change" in errors_of(item(state="war"))[0]["msg"]


def test_unknown_driver_is_an_error():
    errors = errors_of(item(driver="morale", signal=0.5))
    assert errors[0]["loc"] == ("driver",) and "unknown driver" in errors[0]["msg"]
    # the context's driver list is the one used when given
    with pytest.raises(ValidationError, match="unknown driver"):
        EvidenceItem.model_validate(item(driver="diplomacy", signal=0.5), context={"kinds": KINDS, "drivers": ["x"]})


def test_defaults_magnitude_and_explicit_signal():
    held = KINDS["talks_held"]
    default = EvidenceItem.model_validate(item(), context=CONTEXT).reading(held)
    assert default is not None and (default.driver, default.signal, default.sd) == ("diplomacy", held.signal, held.sd)
    delayed = KINDS["talks_delayed"]
    assert delayed.signal is not None
    fortnight = EvidenceItem.model_validate(item(kind="talks_delayed", magnitude=14), context=CONTEXT)
    reading = fortnight.reading(delayed)
    assert reading is not None and reading.signal == pytest.approx(delayed.signal * 14 / delayed.scale)
    explicit = EvidenceItem.model_validate(item(kind="talks_delayed", magnitude=14, signal=-0.1), context=CONTEXT)
    reading = explicit.reading(delayed)
    assert reading is not None and reading.signal == -0.1
    # another driver than the kind's default needs its own signal
    errors = errors_of(item(driver="russia_flexibility"))
    assert "give `signal`" in errors[0]["msg"]


def test_reliability_words_and_range():
    assert EvidenceItem.model_validate(item(reliability="medium"), context=CONTEXT).reliability == 0.6
    assert EvidenceItem.model_validate(item(reliability=0.4), context=CONTEXT).reliability == 0.4
    for bad in ("sure", 0, 1.5):
        assert errors_of(item(reliability=bad))[0]["loc"] == ("reliability",)


def test_signal_must_be_on_the_scale():
    assert errors_of(item(signal=4))[0]["loc"] == ("signal",)


def test_unknown_kind_is_an_error():
    assert errors_of(item(kind="rumour"))[0]["loc"] == ("kind",)
