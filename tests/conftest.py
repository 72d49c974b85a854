"""Shared fixtures: a small question, synthetic evidence, one compiled forecaster per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from forecast.model.design import EvidenceArrays
from forecast.model.inference import Forecaster, SamplerSettings
from forecast.inputs.schema import Question

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = ("deal", "ceasefire", "frozen", "war")
BASE = {"deal": 0.1, "ceasefire": 0.2, "frozen": 0.3, "war": 0.4}
SMALL = SamplerSettings(draws=400, tune=400, chains=2)


def make_question(strength: float = 40.0, base: dict[str, float] = BASE) -> Question:
    return Question.model_validate(
        {
            "id": "test-question",
            "title": "Test question",
            "horizon": "2026-12-31",
            "outcomes": [{"id": o, "label": o.title(), "definition": f"{o} holds"} for o in OUTCOMES],
            "prior": {"base_rates": base, "strength": strength, "provenance": "test"},
        }
    )


def make_arrays(
    log_lik: np.ndarray,
    reliability: np.ndarray | float = 1.0,
    weight: np.ndarray | float = 1.0,
    kind_index: np.ndarray | int = 0,
    kind_sd: tuple[float, ...] = (0.5, 0.5),
) -> EvidenceArrays:
    """Synthetic evidence: ``log_lik`` is (N, 4); scalars broadcast over items."""
    log_lik = np.asarray(log_lik, dtype=float).reshape(-1, len(OUTCOMES))
    n = log_lik.shape[0]
    return EvidenceArrays(
        outcomes=OUTCOMES,
        kinds=tuple(f"kind{m}" for m in range(len(kind_sd))),
        kind_sd=np.array(kind_sd, dtype=float),
        ids=tuple(f"item-{j}" for j in range(n)),
        log_lik=log_lik,
        reliability=np.broadcast_to(np.asarray(reliability, dtype=float), (n,)).copy(),
        weight=np.broadcast_to(np.asarray(weight, dtype=float), (n,)).copy(),
        kind_index=np.broadcast_to(np.asarray(kind_index), (n,)).astype(int).copy(),
    )


@pytest.fixture(scope="session")
def question() -> Question:
    return make_question()


@pytest.fixture(scope="session")
def forecaster(question) -> Forecaster:
    """Compiled once; tests swap evidence through pm.Data exactly as a backfill does."""
    return Forecaster(question, make_arrays(np.zeros((1, 4))), SMALL)


AS_OF = date(2025, 11, 26)
