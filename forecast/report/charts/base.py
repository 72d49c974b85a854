"""What every chart of the briefing shares: the palette and rc settings, the two widths, axis helpers and SVG output.

Every chart is deterministic (fixed ``svg.hashsalt``, no date metadata) and gets its own id
prefix, so several charts can live in one HTML page without clashing ids. Text is drawn as
paths, so the charts look the same in the PDF, on a phone or in print, whatever fonts the
reader has.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib
from markupsafe import escape
from matplotlib.figure import Figure  # figures without pyplot: no GUI backend, no global figure list
from matplotlib.ticker import FuncFormatter, MultipleLocator
from matplotlib.typing import RcKeyType

# Okabe-Ito: readable for colour-blind readers and in greyscale print.
OUTCOME_COLOURS: tuple[str, ...] = ("#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9")
INK = "#1f2933"
MUTED = "#6b7280"
GRID = "#d9dee5"
RAISES = "#1f5fa8"
LOWERS = "#c2571a"
WIDTH_IN = 7.1  # print / desktop: about the A4 text width, so the PDF shows charts at ~1:1
NARROW_IN = 4.2  # phones: same font size, so text stays readable at ~400 px
FONT_PT = 10.5

RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "forecast-briefing",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": FONT_PT,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.titlesize": FONT_PT,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": FONT_PT - 0.5,
    "ytick.labelsize": FONT_PT,
    "legend.fontsize": FONT_PT - 0.5,
    "legend.frameon": False,
    "path.simplify": False,
}


@dataclass(frozen=True)
class Chart:
    """One chart in two widths: ``wide`` for desktop and print, ``narrow`` for phones."""

    wide: str
    narrow: str


@dataclass(frozen=True)
class Series:
    """One outcome over runs on the trend chart."""

    label: str
    means: Sequence[float]
    lows: Sequence[float]
    highs: Sequence[float]


def pp_digits(largest: float) -> int:
    """Decimals for percentage points: two when every effect is below half a point, so none reads 0.0."""
    return 2 if largest < 0.005 else 1


def pct_axis(axis: matplotlib.axis.Axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))


def probability_axis(ax: matplotlib.axes.Axes) -> None:
    """A 0-100% y axis in steps of 20 with horizontal grid lines, open at the top and right."""
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(MultipleLocator(20))
    pct_axis(ax.yaxis)
    ax.set_ylabel("Probability (%)")
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def svg(fig: Figure, prefix: str, title: str) -> str:
    """Serialise ``fig`` to SVG text ready to inline: no prolog/doctype, unique ids, fluid size."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    prefix = re.sub(r"[^A-Za-z0-9-]", "_", prefix)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # rdf boilerplate
    svg = re.sub(r"\s*<!--.*?-->", "", svg, flags=re.S)  # text-as-path comments
    # Prefix ids and the references to them so charts sharing a page cannot collide.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    # Fluid width: keep the viewBox, let CSS size it.
    svg = re.sub(
        r'^<svg([^>]*?) width="[^"]*" height="[^"]*"',
        rf'<svg\1 class="chart" role="img" aria-label="{_attr(title)}"',
        svg,
        count=1,
    )
    svg = svg.replace(">", f"><title>{_attr(title)}</title>", 1)
    return svg.strip() + "\n"


def _attr(text: str) -> str:
    """Analyst text made safe inside an SVG attribute or element."""
    return str(escape(text))


def style(ax: matplotlib.axes.Axes) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_axisbelow(True)


_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tick_label(d: date, with_year: bool) -> str:
    return f"{d.day} {_MON[d.month - 1]}" + (f"\n{d.year}" if with_year else "")
