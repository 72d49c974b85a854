"""The forecast over time: the trend across runs, and the weekly curves from now to the horizon."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date

import matplotlib
from matplotlib.figure import Figure  # figures without pyplot: no GUI backend, no global figure list

from forecast.report.charts.base import (
    FONT_PT,
    GRID,
    MUTED,
    OUTCOME_COLOURS,
    RC,
    WIDTH_IN,
    Series,
    pct_axis,
    probability_axis,
    svg,
    tick_label,
)


def trend_chart(dates: Sequence[date], series: Sequence[Series], interval: float, width: float = WIDTH_IN) -> str:
    """Each outcome's probability over runs (true time spacing), with a light interval band.

    At most ~8 (phones: 4) run dates are labelled, always including the first and the last.
    """
    with matplotlib.rc_context(RC):
        narrow = width < WIDTH_IN
        fig = Figure(figsize=(width, 3.8 if narrow else 2.0), layout="constrained")
        ax = fig.subplots()
        xs = [d.toordinal() for d in dates]
        many = len(xs) > 12
        for i, s in enumerate(series):
            colour = OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)]
            ax.fill_between(
                xs, [v * 100 for v in s.lows], [v * 100 for v in s.highs], color=colour, alpha=0.12, linewidth=0
            )
            ax.plot(
                xs,
                [v * 100 for v in s.means],
                color=colour,
                marker="o",
                markersize=3 if many else 5,
                linewidth=2,
                label=s.label,
            )
        most = 4 if narrow else 8
        step = max(1, -(-len(xs) // most))
        keep = sorted({*range(0, len(xs), step), len(xs) - 1})
        if len(keep) > 1 and keep[-1] - keep[-2] < step:
            keep.pop(-2)  # do not crowd the last label against the previous one
        ax.set_xticks(
            [xs[i] for i in keep],
            [
                tick_label(dates[i], i in (keep[0], keep[-1]) or dates[i].month == 1 and dates[i].day <= 7 * step)
                for i in keep
            ],
        )
        pad = max((xs[-1] - xs[0]) * 0.04, 1)
        ax.set_xlim(xs[0] - pad, xs[-1] + pad)
        probability_axis(ax)
        if narrow:
            fig.legend(loc="outside lower center", ncol=1, handlelength=1.6)
        else:  # beside the plot: a legend underneath would halve the plot's height
            handles, labels = ax.get_legend_handles_labels()
            fig.legend(
                handles,
                [textwrap.fill(lab, 20) for lab in labels],
                loc="outside right center",
                ncol=1,
                handlelength=1.6,
                labelspacing=0.7,
            )
        ax.set_title(
            f"Shading: {interval * 100:.0f}% credible interval", loc="left", color=MUTED, fontsize=FONT_PT - 0.5
        )
        return svg(fig, f"trend-{width:g}", "Probability of each outcome over successive runs")


def curves_chart(
    dates: Sequence[date], series: Sequence[Series], interval: float, horizon: date, width: float = WIDTH_IN
) -> str:
    """Each outcome's chance on every week to the horizon, with its interval band.

    The most likely outcome gets its own panel and the others share a second one on their own scale,
    so a 90% line does not flatten three 2% lines against the axis.
    """
    with matplotlib.rc_context(RC):
        narrow = width < WIDTH_IN
        fig = Figure(figsize=(width, 4.6 if narrow else 2.0), layout="constrained")
        lead = max(range(len(series)), key=lambda i: series[i].means[-1])
        panels = fig.subplots(2 if narrow else 1, 1 if narrow else 2, squeeze=False).ravel()
        xs = [d.toordinal() for d in dates]
        groups = [[lead], [i for i in range(len(series)) if i != lead]]
        for ax, group in zip(panels, groups, strict=True):
            top = 0.0
            for i in group:
                s, colour = series[i], OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)]
                ax.fill_between(
                    xs, [v * 100 for v in s.lows], [v * 100 for v in s.highs], color=colour, alpha=0.14, linewidth=0
                )
                ax.plot(xs, [v * 100 for v in s.means], color=colour, linewidth=2, label=textwrap.fill(s.label, 22))
                top = max(top, *s.highs)
            ax.axvline(horizon.toordinal(), color=MUTED, linestyle="--", linewidth=1)
            ax.set_ylim(0, 100 if group == [lead] else max(5.0, top * 100 * 1.15))
            pct_axis(ax.yaxis)
            ax.grid(axis="y", color=GRID, linewidth=0.8)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ticks = [dates[0], dates[len(dates) // 2], dates[-1]] if len(dates) > 2 else list(dates)
            ax.set_xticks([d.toordinal() for d in ticks], [tick_label(d, True) for d in ticks])
            ax.legend(loc="best", handlelength=1.4)
        panels[0].set_title(
            f"Weekly to the horizon (dashed); shading: {interval * 100:.0f}% interval",
            loc="left",
            color=MUTED,
            fontsize=FONT_PT - 0.5,
        )
        return svg(fig, f"curves-{width:g}", "Chance of each outcome on every week to the horizon")
