"""Helpers shared by the tests: the repository, sampler sizes, synthetic questions and evidence."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from scipy import integrate

from forecast.inputs.schema import Question
from forecast.model.design import EvidenceArrays
from forecast.model.inference import SamplerSettings
from forecast.pipeline import RunConfig

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = ("deal", "ceasefire", "frozen", "war")
BASE = {"deal": 0.1, "ceasefire": 0.2, "frozen": 0.3, "war": 0.4}
SMALL = SamplerSettings(draws=400, tune=400, chains=2)  # statistical checks
TINY = SamplerSettings(draws=100, tune=100, chains=2)  # plumbing: files, history, reports
AS_OF = date(2025, 11, 26)
BASE_RATES = np.array(list(BASE.values()))


def run_config(out: Path, as_of: date | str = AS_OF, **kw: Any) -> RunConfig:
    """A run of the shipped example into ``out`` with tiny sampler settings and no briefing."""
    settings = {"priors": REPO / "priors", "evidence": REPO / "evidence", "settings": TINY, "briefing": False, **kw}
    day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    return RunConfig(as_of=day, out=out, **settings)


def make_question(strength: float = 40.0, base: dict[str, float] = BASE) -> Question:
    return Question.model_validate(
        {
            "id": "test-question",
            "title": "Test question",
            "horizon": "2026-12-31",
            "outcomes": [{"id": o, "label": o.title(), "definition": f"{o} holds"} for o in OUTCOMES],
            "reference": {"conflict_start": "2022-02-24"},
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


def reference_likelihood(log_lik, tau, r, w):
    """DESIGN.md's item likelihood written out plainly (independent of forecast.model.likelihood)."""
    x = tau * log_lik
    lam = np.exp(x - x.max(axis=1, keepdims=True))
    lam = lam / lam.mean(axis=1, keepdims=True)
    return (r[:, None] * lam + (1 - r[:, None])) ** w[:, None]


def reference_probabilities(arrays, sd: float) -> np.ndarray:
    """P(z=k|E) for one uncertain kind, by adaptive scipy quadrature over u = log tau."""

    def log_integrand(u, k):
        lik = reference_likelihood(arrays.log_lik, np.exp(u), arrays.reliability, arrays.weight)
        return np.log(lik[:, k]).sum() - 0.5 * (u / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))

    grid = np.linspace(-40, 5, 4001)
    log_z = []
    for k in range(4):
        values = np.array([log_integrand(u, k) for u in grid])
        peak = grid[values.argmax()]
        top = values.max()
        value, _ = integrate.quad(
            lambda u, k=k, top=top: np.exp(log_integrand(u, k) - top),
            -60,
            5,
            points=[peak],
            limit=500,
            epsabs=0,
            epsrel=1e-10,
        )
        log_z.append(np.log(value) + top)
    log_post = np.log(BASE_RATES) + np.array(log_z)
    return np.exp(log_post - np.logaddexp.reduce(log_post))
