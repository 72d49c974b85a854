"""Sampler settings: plain data, importable without PyMC (the CLI reads its defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings of a run. Four chains of 1,000 keep the rank R-hat of the driver paths under 1.01
    (two chains of 1,000 gave 1.012-1.016, two of 2,000 1.007-1.014, four of 1,000 1.007-1.0096 on the example)."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    target_accept: float = 0.8
