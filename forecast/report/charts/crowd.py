"""Our forecast beside the outside forecasts (markets, platforms) on one scale."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib
from matplotlib.figure import Figure  # figures without pyplot: no GUI backend, no global figure list
from matplotlib.ticker import MaxNLocator

from forecast.report.charts.base import (
    FONT_PT,
    GRID,
    INK,
    MUTED,
    OUTCOME_COLOURS,
    RC,
    WIDTH_IN,
    Series,
    pct_axis,
    svg,
    tick_label,
)


@dataclass(frozen=True)
class Marker:
    """An outside forecast on the crowd chart: its chance, at the date of ours it is compared with."""

    label: str
    day: date
    probability: float


@dataclass(frozen=True)
class CrowdLine:
    """Our chance of one union of outcomes over the forecast dates, and the outside forecasts of it."""

    series: Series
    markers: Sequence[Marker]


def _crowd_ticks(lo: int, as_of: int, hi: int) -> list[int]:
    """Both ends and the as-of date when the axis starts before it, then the middle if there is room."""
    ticks = sorted({lo, as_of, hi})
    middle = (ticks[-2] + hi) // 2
    if all(abs(middle - t) > (hi - lo) * 0.2 for t in ticks):
        ticks = sorted([*ticks, middle])
    return [
        t for k, t in enumerate(ticks) if k in (0, len(ticks) - 1) or min(t - ticks[k - 1], hi - t) > (hi - lo) * 0.1
    ]


def crowd_span(dates: Sequence[date], lines: Sequence[CrowdLine]) -> tuple[int, int]:
    """The x range (ordinals) of the crowd chart: the forecast dates and every benchmark's date."""
    days = [d.toordinal() for d in dates] + [m.day.toordinal() for line in lines for m in line.markers]
    return min(days), max(days)


def crowd_chart(dates: Sequence[date], lines: Sequence[CrowdLine], interval: float, width: float = WIDTH_IN) -> str:
    """Our chance of each union the benchmarks map to, with its band, and each benchmark as a labelled diamond.

    The x axis spans the forecast dates and every benchmark's date, so one whose date has passed is
    still shown (left of the as-of line).
    """
    with matplotlib.rc_context(RC):
        narrow = width < WIDTH_IN
        fig = Figure(figsize=(width, 3.6 if narrow else 2.1), layout="constrained")
        ax = fig.subplots()
        xs = [d.toordinal() for d in dates]
        lo, hi = crowd_span(dates, lines)
        top = 0.0
        for i, line in enumerate(lines):
            s, colour = line.series, OUTCOME_COLOURS[(i + 1) % len(OUTCOME_COLOURS)]
            ax.fill_between(
                xs, [v * 100 for v in s.lows], [v * 100 for v in s.highs], color=colour, alpha=0.16, linewidth=0
            )
            ax.plot(
                xs,
                [v * 100 for v in s.means],
                color=colour,
                linewidth=2,
                label=textwrap.fill(s.label, 34 if narrow else 60),
            )
            top = max(top, *s.highs)
            for m in line.markers:
                ax.plot(
                    m.day.toordinal(),
                    m.probability * 100,
                    marker="D",
                    markersize=7,
                    markerfacecolor="white",
                    markeredgecolor=INK,
                    markeredgewidth=1.4,
                    linestyle="none",
                    zorder=5,
                    clip_on=False,
                )
                near_right = m.day.toordinal() > lo + (hi - lo) * 0.8
                ax.annotate(
                    m.label,
                    (m.day.toordinal(), m.probability * 100),
                    xytext=(-7 if near_right else 7, 5),
                    textcoords="offset points",
                    ha="right" if near_right else "left",
                    va="bottom",
                    color=INK,
                    fontsize=FONT_PT - 0.5,
                    zorder=6,
                )
                top = max(top, m.probability)
        if lo < xs[0]:
            ax.axvline(xs[0], color=MUTED, linestyle=":", linewidth=1)
        ax.plot(
            [], [], marker="D", markerfacecolor="white", markeredgecolor=INK, linestyle="none", label="Outside forecast"
        )
        pad = max((hi - lo) * 0.03, 1)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(0, min(100.0, max(5.0, top * 100 * 1.3)))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
        pct_axis(ax.yaxis)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ticks = _crowd_ticks(lo, xs[0], hi)
        ax.set_xticks(ticks, [tick_label(date.fromordinal(t), True) for t in ticks])
        fig.legend(loc="outside lower center", ncol=1 if narrow else 2, handlelength=1.4, columnspacing=1.2)
        ax.set_title(
            f"Shading: {interval * 100:.0f}% interval" + ("; dotted: the as-of date" if lo < xs[0] else ""),
            loc="left",
            color=MUTED,
            fontsize=FONT_PT - 0.5,
        )
        return svg(fig, f"crowd-{width:g}", "Our forecast beside outside forecasts of the same event")
