"""fit_weights on the shipped data (small draws) and the shipped evidence_weights.json."""

from __future__ import annotations

import math

import pytest

from forecast.calibration.events import CELLS
from forecast.calibration.weights import fit_weights, load_weights
from forecast.reference.classes import REFERENCE_CLASSES


def test_fit_weights_runs_and_gives_finite_rows() -> None:
    w = fit_weights(draws=30, tune=30, seed=1)
    assert len(w.rows) == 3 * len(CELLS)
    assert {(r.kind, tuple(r.attributes.items())) for r in w.rows} == {(c.kind, c.attributes) for c in CELLS}
    for r in w.rows:
        assert all(math.isfinite(v) for v in (r.hazard_ratio, r.low, r.high, r.log_mean, r.log_sd))
        assert r.low <= r.hazard_ratio <= r.high
    assert set(w.baseline_multiplier) == set(REFERENCE_CLASSES)
    assert len(w.half_life_profile) == 6


def test_shipped_weights_and_effect() -> None:
    w = load_weights()
    effect = w.effect("ceasefire_declared", {"side": "bilateral", "scope": "general"})
    assert set(effect) == {"war->deal", "war->ceasefire", "war->frozen"}
    assert all(sd > 0 for _, sd in effect.values())
    assert w.effect("mediation")
    with pytest.raises(ValueError, match="outcome"):
        w.effect("agreement_signed", {"stage": "comprehensive"})
    with pytest.raises(KeyError):
        w.effect("mediation", {"side": "unilateral"})
