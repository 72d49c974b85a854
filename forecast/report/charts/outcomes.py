"""The chance of each outcome on the horizon, as horizontal bars with their intervals."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure  # figures without pyplot: no GUI backend, no global figure list
from matplotlib.ticker import MultipleLocator

from forecast.report.charts.base import (
    FONT_PT,
    GRID,
    INK,
    OUTCOME_COLOURS,
    RC,
    WIDTH_IN,
    pct_axis,
    style,
    svg,
)
from forecast.report.wep import format_pct


@dataclass(frozen=True)
class Bar:
    """One outcome on the probability chart."""

    label: str
    mean: float
    low: float
    high: float
    previous: float | None = None


def probability_chart(bars: Sequence[Bar], interval: float, previous_label: str | None, width: float = WIDTH_IN) -> str:
    """Horizontal bars of each outcome's probability with credible-interval whiskers.

    ``previous`` values (when given) are drawn as hollow diamonds labelled ``previous_label``.
    """
    with matplotlib.rc_context(RC):
        n = len(bars)
        narrow = width < WIDTH_IN
        fig = Figure(figsize=(width, (0.55 if narrow else 0.31) * n + (1.25 if narrow else 0.75)), layout="constrained")
        ax = fig.subplots()
        ys = list(range(n))[::-1]
        for i, (bar, y) in enumerate(zip(bars, ys, strict=True)):
            colour = OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)]
            ax.barh(y, bar.mean * 100, height=0.6, color=colour, alpha=0.85, zorder=2)
            ax.errorbar(
                bar.mean * 100,
                y,
                xerr=[[max(bar.mean - bar.low, 0) * 100], [max(bar.high - bar.mean, 0) * 100]],
                fmt="none",
                ecolor=INK,
                elinewidth=1.3,
                capsize=4,
                capthick=1.3,
                zorder=3,
            )
            # Values sit in a column right of the axis, so wide intervals never cover them.
            ax.text(
                103,
                y,
                format_pct(bar.mean),
                va="center",
                ha="left",
                color=INK,
                fontsize=FONT_PT,
                fontweight="bold",
                clip_on=False,
            )
            if bar.previous is not None:
                ax.plot(
                    bar.previous * 100,
                    y,
                    marker="D",
                    markersize=7,
                    markerfacecolor="white",
                    markeredgecolor=INK,
                    markeredgewidth=1.4,
                    linestyle="none",
                    zorder=5,
                )
        ax.set_yticks(ys, [textwrap.fill(b.label, 17) if narrow else b.label for b in bars])
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, n - 0.4)
        ax.xaxis.set_major_locator(MultipleLocator(20))
        pct_axis(ax.xaxis)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        style(ax)
        ax.set_xlabel("Probability on the horizon date (%)")
        ax.errorbar(
            [],
            [],
            xerr=[],
            fmt="none",
            ecolor=INK,
            elinewidth=1.3,
            capsize=4,
            label=f"{interval * 100:.0f}% credible interval",
        )
        if previous_label:
            ax.plot(
                [],
                [],
                marker="D",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=INK,
                linestyle="none",
                label=previous_label,
            )
        fig.legend(loc="outside upper right", ncol=1 if narrow else 2, handletextpad=0.4, columnspacing=1.2)
        return svg(fig, f"prob-{width:g}", "Probability of each outcome with credible intervals")
