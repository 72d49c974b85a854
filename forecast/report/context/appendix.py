"""The appendix: sampler checks and settings, and the inputs' digests."""

from __future__ import annotations

import math
from dataclasses import dataclass

from forecast.results.summary import (
    DIVERGENCES_MAX,
    ESS_MIN,
    RHAT_MAX,
    Diagnostics,
)

from ..wep import format_number

MAX_WARNINGS = 8  # sampler warnings listed in the appendix; the rest are counted
MAX_EXCLUDED = 16  # ids of items dated after as_of listed in the appendix; the rest are counted
HASH_SHOWN = 12  # hex digits of each input's SHA-256 printed in the appendix (full value in a tooltip)


@dataclass(frozen=True)
class InputFile:
    path: str
    digest: str  # full SHA-256, hex
    short: str  # first HASH_SHOWN hex digits


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    threshold: str
    ok: bool


def sampler_checks(diag: Diagnostics) -> list[Check]:
    rhat, ess, div = diag.rhat_max, diag.ess_bulk_min, diag.divergences
    return [
        Check(
            "R-hat (max)", format_number(rhat, ".3f"), f"≤ {RHAT_MAX}", not (math.isfinite(rhat) and rhat > RHAT_MAX)
        ),
        Check(
            "Bulk ESS (min)", format_number(ess, ",.0f"), f"≥ {ESS_MIN:.0f}", not (math.isfinite(ess) and ess < ESS_MIN)
        ),
        Check("Divergent transitions", format_number(div, "d"), f"= {DIVERGENCES_MAX}", div <= DIVERGENCES_MAX),
    ]


def sampler_lines(diag: Diagnostics) -> dict[str, str]:
    return {
        "Method": diag.sampler,
        "Settings": f"{diag.chains} chains × {diag.draws} draws after {diag.tune} tuning steps; seed {diag.seed}",
    }
