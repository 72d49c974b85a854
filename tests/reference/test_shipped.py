"""The shipped data: checksums and the event counts, so any change to data or code is noticed."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import numpy as np
import pytest

from forecast.reference.classes import REFERENCE_CLASSES
from forecast.reference.data import DEFAULT_DATA_DIR, build_episodes, information_at, load_reference_data
from forecast.reference.fit import fit_reference, hazard_draws
from forecast.reference.hazards import transition_counts
from forecast.reference.spec import ReferenceSpec

COUNTS = {
    "all_conflicts": {
        "war->ceasefire": (67, 2691.0),
        "war->frozen": (209, 2691.0),
        "war->deal": (60, 2691.0),
        "war->other": (224, 2691.0),
        "ceasefire->war": (37, 1326.0),
        "frozen->war": (143, 2395.0),
        "deal->war": (23, 1721.0),
    },
    "long_wars": {
        "war->ceasefire": (11, 914.0),
        "war->frozen": (21, 914.0),
        "war->deal": (16, 914.0),
        "war->other": (36, 914.0),
        "ceasefire->war": (7, 261.0),
        "frozen->war": (16, 221.0),
        "deal->war": (5, 485.0),
    },
    "interstate_wars": {
        "war->ceasefire": (9, 60.0),
        "war->frozen": (3, 60.0),
        "war->deal": (4, 60.0),
        "war->other": (13, 60.0),
        "ceasefire->war": (1, 459.0),
        "frozen->war": (2, 74.0),
        "deal->war": (3, 98.0),
    },
}


def sha256(name: str) -> str:
    return hashlib.sha256((DEFAULT_DATA_DIR / name).read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("data", "readme", "pattern"),
    [
        ("ucdp_prio_acd.csv", "README-ucdp_prio_acd.md", r"sha256 `([0-9a-f]{64})`"),
        ("ucdp_conflict_years.csv", "README.md", r"SHA-256: `([0-9a-f]{64})`"),
    ],
)
def test_checksums_match_readmes(data: str, readme: str, pattern: str) -> None:
    match = re.search(pattern, (DEFAULT_DATA_DIR / readme).read_text())
    assert match is not None
    assert sha256(data) == match.group(1)


def test_files_join_and_episodes() -> None:
    data = load_reference_data()  # raises if any (conflict_id, year) is unmatched
    assert len(data.years) == 2752 and data.last_year == 2024
    episodes = build_episodes(information_at(data, 2100))
    assert len(episodes) == 621  # 620 ACD episodes, 23401 split at its 1994 ending
    assert episodes["end_state"].isna().sum() == 61
    assert episodes["end_state"].value_counts().to_dict() == {"other": 224, "frozen": 209, "ceasefire": 67, "deal": 60}
    ru = episodes[(episodes["conflict_id"] == 13243)]
    assert ru[["start_year", "first_war_year", "interstate"]].values.tolist() == [[2022, 2022, True]]


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_event_counts_are_stable(name: str) -> None:
    data = information_at(load_reference_data(), 2100)
    counts = transition_counts(build_episodes(data), REFERENCE_CLASSES[name].filters, data.last_year)
    assert {k: (c.events, c.exposure) for k, c in counts.items()} == COUNTS[name]


def test_fit_reference_uses_data_before_as_of() -> None:
    spec = ReferenceSpec.model_validate({"class": "all_conflicts", "conflict_start": "2022-02-24"})
    later = fit_reference(spec, date(2026, 11, 23))
    assert later.data_last_year == 2024
    assert later.row("war->deal").events == 60
    earlier = fit_reference(spec, date(2000, 6, 1))
    assert earlier.data_last_year == 1999
    assert earlier.row("war->deal").events < 60


def test_spec_is_strict() -> None:
    with pytest.raises(ValueError):
        ReferenceSpec.model_validate({"conflict_start": "2022-02-24", "unknown": 1})
    with pytest.raises(ValueError):
        ReferenceSpec.model_validate({"conflict_start": "2022-02-24", "mismatch": 0.5})
    with pytest.raises(ValueError):
        ReferenceSpec.model_validate({"conflict_start": "2022-02-24", "class": "nope"})
    with pytest.raises(ValueError):
        ReferenceSpec.model_validate({"conflict_start": "2022-02-24", "filters": {"min_age": 3}})
    spec = ReferenceSpec.model_validate(
        {"class": "wars", "conflict_start": "2022-02-24", "filters": {"interstate_only": True}}
    )
    assert spec.resolved_filters().model_dump() == {
        "min_age_years": 0,
        "interstate_only": True,
        "war_intensity_only": True,
    }


def test_sparse_class_borrows_and_stays_finite() -> None:
    spec = ReferenceSpec.model_validate({"class": "interstate_long_wars", "conflict_start": "2022-02-24"})
    table = fit_reference(spec, date(2025, 11, 26))
    assert any("borrowed" in n for n in table.notes)
    assert all(0 < r.mean < 1 and r.low < r.high for r in table.rows)
    assert table.row("war->ceasefire").events == 2 and table.row("war->ceasefire").exposure == 17.0


def test_the_mismatch_widens_the_hazards_without_raising_their_mean() -> None:
    for mismatch in (1.0, 4.0):
        spec = ReferenceSpec.model_validate({"conflict_start": "2022-02-24", "mismatch": mismatch})
        table = fit_reference(spec, date(2025, 11, 26))
        draws = hazard_draws(table, 400_000, seed=1)
        row = table.row("war->deal")
        assert draws["war->deal"].mean() == pytest.approx(row.mean, rel=0.02)
        spread = np.std(np.log(draws["war->deal"]))
        assert spread == pytest.approx(row.log_sd_used, rel=0.02)
