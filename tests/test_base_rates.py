"""The prior's reference data and the base rates derived from it (scripts/base_rates.py)."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "priors" / "reference"
CSV = REFERENCE / "ucdp_conflict_years.csv"
QUESTION = REPO / "priors" / "ukraine_2026.yaml"
SCRIPT = REPO / "scripts" / "base_rates.py"

# Verified ending counts stated in priors/reference/README.md.
VERIFIED_ENDINGS = {1: 60, 2: 67, 3: 107, 4: 44, 5: 209, 6: 20}


@pytest.fixture(scope="module")
def base_rates_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("base_rates_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result(base_rates_module: ModuleType) -> dict:
    return base_rates_module.compute_base_rates(CSV)


def test_csv_matches_readme_hash() -> None:
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    match = re.search(r"SHA-256: `([0-9a-f]{64})`", readme)
    assert match, "README must state the file's SHA-256"
    assert hashlib.sha256(CSV.read_bytes()).hexdigest() == match.group(1)


def test_readme_keeps_attribution() -> None:
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme
    assert "Kreutz" in readme


def test_csv_ending_counts_match_readme() -> None:
    df = pd.read_csv(CSV)
    endings = df[df["c_epterm"] == 1]
    assert len(endings) == 507
    counts = {int(code): int(n) for code, n in endings["c_outcome"].value_counts().items()}
    assert counts == VERIFIED_ENDINGS
    assert endings["year"].between(1946, 2023).all()
    assert len(df) == 2752 and df["c_epid"].nunique() == 614


def test_yaml_base_rates_are_the_scripts(result: dict) -> None:
    question = yaml.safe_load(QUESTION.read_text(encoding="utf-8"))
    assert question["prior"]["base_rates"] == result["base_rates"]
    assert question["prior"]["strength"] == result["strength"]
    assert [o["id"] for o in question["outcomes"]] == ["deal", "ceasefire", "frozen", "war"]
    assert list(result["base_rates"]) == ["deal", "ceasefire", "frozen", "war"]


def test_base_rates_sum_to_one(result: dict) -> None:
    rates = result["base_rates"]
    assert sum(rates.values()) == pytest.approx(1.0, abs=1e-12)
    assert round(sum(round(v * 1000) for v in rates.values())) == 1000
    assert all(v > 0 for v in rates.values())


def test_figures_are_consistent(result: dict) -> None:
    assert result["events"] <= result["exposure"]
    assert result["hazard"] == pytest.approx(result["events"] / result["exposure"])
    years = result["horizon_years"]
    assert result["p_end"] == pytest.approx(1 - (1 - result["hazard"]) ** years)
    assert result["raw"]["war"] == pytest.approx(1 - result["p_end"])
    for shares in result["shares"].values():
        assert sum(shares.values()) == pytest.approx(1.0)
    # Episode runs: every coded ending closes exactly one run.
    assert result["runs_ended"] == 507


def test_round_to_sum(base_rates_module: ModuleType) -> None:
    rounded = base_rates_module.round_to_sum({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert sorted(rounded.values()) == [0.333, 0.333, 0.334]
    assert base_rates_module.round_to_sum({"a": 0.0206, "b": 0.9794}) == {"a": 0.021, "b": 0.979}
