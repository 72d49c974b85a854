"""Bars either side of zero: the drivers now (their state and what moved them), and the sensitivity tornado."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure  # figures without pyplot: no GUI backend, no global figure list
from matplotlib.ticker import FuncFormatter

from forecast.report.charts.base import (
    FONT_PT,
    GRID,
    INK,
    LOWERS,
    RAISES,
    RC,
    WIDTH_IN,
    pp_digits,
    svg,
)
from forecast.report.wep import MINUS


@dataclass(frozen=True)
class Driver:
    """One evidence item's impact (fraction) on the charted outcome."""

    title: str
    impact: float


def _signed(value: float, fmt: str) -> str:
    """'+1.5', '\u22121.5' (a true minus), '0': the sign of a change in percentage points."""
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return f"{sign}{format(abs(value), fmt)}"


def _row_title(ax: matplotlib.axes.Axes, x: float, y: float, text: str, width: float) -> None:
    """A bar row's title above its bars, shortened to the chart's width, on white so grid lines pass behind."""
    ax.text(
        x,
        y,
        textwrap.shorten(text, width=int(width * 11.8), placeholder="…"),
        va="center",
        ha="left",
        color=INK,
        fontsize=FONT_PT - 0.5,
        zorder=5,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8},
    )


def _diverging_axis(ax: matplotlib.axes.Axes, span: float, bottom: float, label: str, width: float) -> None:
    """The x axis of a chart of signed percentage-point bars: symmetric, signed ticks, rows without y ticks."""
    ax.set_xlim(-span, span)
    ax.set_ylim(bottom, 0.5)
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _signed(v, "g")))
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(textwrap.fill(label, int(width * 12)))


def drivers_chart(drivers: Sequence[Driver], outcome_label: str, width: float = WIDTH_IN) -> str:
    """Diverging bars: how much each item moved ``outcome_label``, in percentage points.

    Each item's title sits above its bar, so long titles never squeeze the bars on a phone.
    """
    with matplotlib.rc_context(RC):
        n = len(drivers)
        narrow = width < WIDTH_IN
        fig = Figure(figsize=(width, (0.5 if narrow else 0.32) * n + (1.0 if narrow else 0.6)), layout="constrained")
        ax = fig.subplots()
        values = [d.impact * 100 for d in drivers]
        span = max([abs(v) for v in values] + [0.1]) * 1.28
        digits = pp_digits(max(abs(v) for v in values) / 100)
        for k, (d, v) in enumerate(zip(drivers, values, strict=True)):
            y = -k
            colour = RAISES if v >= 0 else LOWERS
            ax.barh(y - 0.25, v, height=0.3, color=colour, zorder=2)
            ax.vlines(0, y - 0.46, y - 0.04, color=INK, linewidth=1, zorder=3)  # zero line, bars only
            _row_title(ax, -span, y + 0.2, d.title, width)
            ax.text(
                v + (span * 0.02 if v >= 0 else -span * 0.02),
                y - 0.25,
                _signed(v, f".{digits}f"),
                va="center",
                ha="left" if v >= 0 else "right",
                color=colour,
                fontsize=FONT_PT - 0.5,
                fontweight="bold",
            )
        label = f"Effect on P({outcome_label}), percentage points (◀ lowers · raises ▶)"
        _diverging_axis(ax, span, -n + 0.55, label, width)
        return svg(fig, f"drivers-{width:g}", f"Evidence items that moved the probability of {outcome_label} most")


@dataclass(frozen=True)
class TornadoRow:
    """One assumption: its label and each setting's change of the ranked outcome (fraction)."""

    label: str
    cases: tuple[tuple[str, float], ...]  # (setting, change)


def tornado_chart(rows: Sequence[TornadoRow], outcome_label: str, width: float = WIDTH_IN) -> str:
    """Tornado: for each assumption (largest swing first) a bar per setting from 0 to its change, in pp.

    The assumption's name sits above its bars and each bar ends in its setting and value, so the
    reader sees which way each setting pushes without a legend.
    """
    with matplotlib.rc_context(RC):
        n = len(rows)
        narrow = width < WIDTH_IN
        per_row = 0.62 if narrow else 0.46
        fig = Figure(figsize=(width, per_row * n + (1.0 if narrow else 0.7)), layout="constrained")
        ax = fig.subplots()
        values = [v * 100 for r in rows for _, v in r.cases]
        largest = max([abs(v) for v in values] + [0.01])
        span = largest * 1.9
        digits = pp_digits(largest / 100)
        for k, row in enumerate(rows):
            y = -k
            _row_title(ax, -span, y + 0.22, row.label, width)
            offsets = (-0.12, -0.32) if len(row.cases) > 1 else (-0.22,)
            for (setting, change), dy in zip(row.cases, offsets, strict=False):
                v = change * 100
                colour = RAISES if v >= 0 else LOWERS
                ax.barh(y + dy, v, height=0.18 if len(row.cases) > 1 else 0.26, color=colour, zorder=2)
                text = f"{_signed(v, f'.{digits}f')}  {textwrap.shorten(setting, width=28, placeholder='…')}"
                ax.text(
                    v + (span * 0.015 if v >= 0 else -span * 0.015),
                    y + dy,
                    text,
                    va="center",
                    ha="left" if v >= 0 else "right",
                    color=colour,
                    fontsize=FONT_PT - 1.5,
                )
            ax.vlines(0, y - 0.46, y - 0.0, color=INK, linewidth=1, zorder=3)
        _diverging_axis(ax, span, -n + 0.5, f"Change in P({outcome_label}) on the horizon, percentage points", width)
        return svg(fig, f"tornado-{width:g}", f"How far P({outcome_label}) moves when each assumption moves")
