"""State probabilities are the matrix exponential of the generator."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy.linalg import expm

from forecast.process import constant_state_path, constant_state_probabilities
from forecast.reference.fit import fit_reference, no_evidence_curve, no_evidence_probabilities
from forecast.reference.spec import ReferenceSpec

HAZARDS = {
    "war->ceasefire": 0.05,
    "war->deal": 0.03,
    "war->frozen": 0.08,
    "ceasefire->war": 0.2,
    "ceasefire->deal": 0.1,
    "frozen->war": 0.15,
    "frozen->deal": 0.02,
    "deal->war": 0.04,
}


def hand_generator() -> np.ndarray:
    # order: war, ceasefire, frozen, deal
    q = np.array(
        [
            [0.0, 0.05, 0.08, 0.03],
            [0.2, 0.0, 0.0, 0.1],
            [0.15, 0.0, 0.0, 0.02],
            [0.04, 0.0, 0.0, 0.0],
        ]
    )
    np.fill_diagonal(q, -q.sum(axis=1))
    return q


@pytest.mark.parametrize(("start", "row"), [("war", 0), ("ceasefire", 1), ("frozen", 2), ("deal", 3)])
def test_state_probabilities_equal_expm(start: str, row: int) -> None:
    expected = expm(hand_generator() * 1.7)[row]
    assert constant_state_probabilities(HAZARDS, start, 1.7) == pytest.approx(expected, abs=1e-12)


def test_vectorised_over_draws() -> None:
    rng = np.random.default_rng(1)
    draws = {k: v * rng.uniform(0.5, 2.0, size=5) for k, v in HAZARDS.items()}
    stacked = constant_state_probabilities(draws, "war", 2.0)
    for i in range(5):
        one = constant_state_probabilities({k: float(v[i]) for k, v in draws.items()}, "war", 2.0)
        assert stacked[i] == pytest.approx(one, abs=1e-12)
    path = constant_state_path(draws, "war", 0.25, 8)
    assert path[-1] == pytest.approx(stacked, abs=1e-10)


def test_no_evidence_probabilities_match_expm_of_posterior() -> None:
    spec = ReferenceSpec.model_validate({"class": "long_wars", "conflict_start": "2022-02-24"})
    table = fit_reference(spec, date(2025, 11, 26))
    years = (date(2026, 12, 31) - date(2025, 11, 26)).days / 365.25
    result = no_evidence_probabilities(table, "war", date(2025, 11, 26), date(2026, 12, 31), draws=4000)
    rng = np.random.default_rng(0)
    draws = [{r.transition: rng.gamma(r.shape, 1 / r.rate) for r in table.rows} for _ in range(1000)]
    q = []
    for d in draws:
        m = np.zeros((4, 4))
        for (i, j), k in {(0, 1): "war->ceasefire", (0, 2): "war->frozen", (0, 3): "war->deal"}.items():
            m[i, j] = d[k]
        m[1, 0], m[1, 3] = d["ceasefire->war"], d["ceasefire->deal"]
        m[2, 0], m[2, 3] = d["frozen->war"], d["frozen->deal"]
        m[3, 0] = d["deal->war"]
        np.fill_diagonal(m, -m.sum(axis=1))
        q.append(expm(m * years)[0])
    expected = np.mean(q, axis=0)
    for i, s in enumerate(("war", "ceasefire", "frozen", "deal")):
        assert result[s]["mean"] == pytest.approx(expected[i], abs=2e-3)
        assert result[s]["low"] <= result[s]["mean"] <= result[s]["high"]
    assert sum(v["mean"] for v in result.values()) == pytest.approx(1.0)
    curve = no_evidence_curve(table, "war", date(2025, 11, 26), date(2026, 12, 31), draws=4000)
    assert curve[-1]["date"] == "2026-12-31"
    assert curve[-1]["war"] == pytest.approx(result["war"])  # type: ignore[arg-type]
    wars = [c["war"]["mean"] for c in curve]  # type: ignore[index]
    assert all(a >= b for a, b in zip(wars, wars[1:], strict=False))
