"""The archive page's trend chart: each outcome over the runs' as-of dates, outside forecasts as points.

Drawn with the briefing's chart style (:mod:`forecast.report.charts`), so the two pages read alike.
An outside forecast is charted at the date it was seen, even outside the runs' dates (the axis
widens to hold it): it is context, never forced onto a run.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib
from matplotlib.figure import Figure

from forecast.report.charts.base import (
    FONT_PT,
    INK,
    MUTED,
    OUTCOME_COLOURS,
    RC,
    WIDTH_IN,
    Series,
    probability_axis,
    svg,
    tick_label,
)


@dataclass(frozen=True)
class Point:
    """An outside forecast: P(one of its outcomes on ``by``), read on ``seen``."""

    id: str
    seen: date
    probability: float
    label: str


def archive_chart(dates: Sequence[date], series: Sequence[Series], interval: float, points: Sequence[Point]) -> str:
    """Lines (and interval bands) per outcome over the runs; benchmarks as labelled diamonds."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN * 1.4, 3.4), layout="constrained")
        ax = fig.subplots()
        xs = [d.toordinal() for d in dates]
        for i, s in enumerate(series):
            colour = OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)]
            ax.fill_between(xs, [v * 100 for v in s.lows], [v * 100 for v in s.highs], color=colour, alpha=0.12, lw=0)
            ax.plot(xs, [v * 100 for v in s.means], color=colour, marker="o", markersize=3, lw=2, label=s.label)
        stacked: dict[date, int] = {}
        for p in points:
            k = stacked[p.seen] = stacked.get(p.seen, -1) + 1
            marker = ax.plot(
                [p.seen.toordinal()], [p.probability * 100], marker="D", color=INK, markersize=6, ls="none"
            )
            marker[0].set_gid(f"benchmark-{p.id}")
            ax.annotate(
                p.label,
                (p.seen.toordinal(), p.probability * 100),
                xytext=(7, 6 + 12 * k),
                textcoords="offset points",
                fontsize=FONT_PT - 1.5,
                color=INK,
            )
        if points:
            ax.plot([], [], marker="D", color=INK, ls="none", label="Outside forecast (seen)")
        every = sorted({*xs, *(p.seen.toordinal() for p in points)})
        lo, hi = every[0], every[-1]
        pad = max((hi - lo) * 0.04, 3)
        ax.set_xlim(lo - pad, hi + pad * (4 if points else 1))
        ticks = _spaced(every, (hi - lo) / 9)
        ax.set_xticks(ticks, [tick_label(date.fromordinal(t), t in (ticks[0], ticks[-1])) for t in ticks])
        probability_axis(ax)
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles, [textwrap.fill(lab, 22) for lab in labels], loc="outside right center", handlelength=1.6)
        ax.set_title(
            f"Each run's chance on the horizon; shading: {interval * 100:.0f}% credible interval",
            loc="left",
            color=MUTED,
            fontsize=FONT_PT - 0.5,
        )
        described = "; ".join(f"{p.label} (seen {p.seen.isoformat()})" for p in points)
        title = "Each outcome over the runs" + (f", with outside forecasts: {described}" if points else "")
        return svg(fig, "archive-trend", title)


def _spaced(days: list[int], gap: float) -> list[int]:
    """The first and last day and, between them, days at least ``gap`` apart (labels never overlap)."""
    kept = [days[0]]
    for d in days[1:-1]:
        if d - kept[-1] >= gap and days[-1] - d >= gap:
            kept.append(d)
    return sorted({*kept, days[-1]})
