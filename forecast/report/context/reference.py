"""The reference class: the outside view's hazards, one line per transition."""

from __future__ import annotations

from dataclasses import dataclass

from forecast.results.summary import (
    Summary,
)


@dataclass(frozen=True)
class HazardLine:
    transition: str
    events: str
    exposure: str
    rate: str


def hazard_lines(summary: Summary) -> list[HazardLine]:
    return [
        HazardLine(
            transition=t.replace("->", " → "),
            events="assumed" if h.events is None else str(h.events),
            exposure="" if h.exposure is None else f"{h.exposure:,.0f}",
            rate=f"{h.mean:.3f} ({h.low:.3f}–{h.high:.3f})",
        )
        for t, h in summary.reference.hazards.items()
    ]
