"""Sampler settings: plain data, importable without PyMC (the CLI reads its defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sampler = Literal["pymc", "nutpie"]
SAMPLERS: tuple[Sampler, ...] = ("pymc", "nutpie")


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings of a run. Four chains of 1,000 keep the rank R-hat of the driver paths under 1.01
    (two chains of 1,000 gave 1.012-1.016, two of 2,000 1.007-1.014, four of 1,000 1.007-1.0096 on the example).

    ``sampler``: PyMC's NUTS, or nutpie's (Rust, over a numba-compiled log density of the same PyMC
    model): about 3x faster per fit, but its compile costs 10-12 s per process (37 s with an empty
    cache), so it pays in a backfill, not in one weekly run (README, "Speed")."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    target_accept: float = 0.8
    sampler: Sampler = "pymc"
