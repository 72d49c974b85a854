"""Charts for the briefing, drawn with matplotlib (Agg) and returned as inline SVG text.

Every chart is deterministic (fixed ``svg.hashsalt``, no date metadata) and gets its own id
prefix, so several charts can live in one HTML page without clashing ids. Text is drawn as
paths, so the charts look the same in the PDF, on a phone or in print, whatever fonts the
reader has.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib
from markupsafe import escape
from matplotlib.figure import Figure  # figures without pyplot: no GUI backend, no global figure list
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator
from matplotlib.typing import RcKeyType

from .wep import MINUS, format_pct

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

_RC: dict[RcKeyType, Any] = {
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
class Bar:
    """One outcome on the probability chart."""

    label: str
    mean: float
    low: float
    high: float
    previous: float | None = None


@dataclass(frozen=True)
class Series:
    """One outcome over runs on the trend chart."""

    label: str
    means: Sequence[float]
    lows: Sequence[float]
    highs: Sequence[float]


@dataclass(frozen=True)
class Driver:
    """One evidence item's impact (fraction) on the charted outcome."""

    title: str
    impact: float


def pp_digits(largest: float) -> int:
    """Decimals for percentage points: two when every effect is below half a point, so none reads 0.0."""
    return 2 if largest < 0.005 else 1


def _pct_axis(axis: matplotlib.axis.Axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))


def probability_axis(ax: matplotlib.axes.Axes) -> None:
    """A 0-100% y axis in steps of 20 with horizontal grid lines, open at the top and right."""
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(MultipleLocator(20))
    _pct_axis(ax.yaxis)
    ax.set_ylabel("Probability (%)")
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _svg(fig: Figure, prefix: str, title: str) -> str:
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


def _style(ax: matplotlib.axes.Axes) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_axisbelow(True)


def probability_chart(bars: Sequence[Bar], interval: float, previous_label: str | None, width: float = WIDTH_IN) -> str:
    """Horizontal bars of each outcome's probability with credible-interval whiskers.

    ``previous`` values (when given) are drawn as hollow diamonds labelled ``previous_label``.
    """
    with matplotlib.rc_context(_RC):
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
        _pct_axis(ax.xaxis)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        _style(ax)
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
        return _svg(fig, f"prob-{width:g}", "Probability of each outcome with credible intervals")


_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _tick_label(d: date, with_year: bool) -> str:
    return f"{d.day} {_MON[d.month - 1]}" + (f"\n{d.year}" if with_year else "")


def trend_chart(dates: Sequence[date], series: Sequence[Series], interval: float, width: float = WIDTH_IN) -> str:
    """Each outcome's probability over runs (true time spacing), with a light interval band.

    At most ~8 (phones: 4) run dates are labelled, always including the first and the last.
    """
    with matplotlib.rc_context(_RC):
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
                _tick_label(dates[i], i in (keep[0], keep[-1]) or dates[i].month == 1 and dates[i].day <= 7 * step)
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
        return _svg(fig, f"trend-{width:g}", "Probability of each outcome over successive runs")


def curves_chart(
    dates: Sequence[date], series: Sequence[Series], interval: float, horizon: date, width: float = WIDTH_IN
) -> str:
    """Each outcome's chance on every week to the horizon, with its interval band.

    The most likely outcome gets its own panel and the others share a second one on their own scale,
    so a 90% line does not flatten three 2% lines against the axis.
    """
    with matplotlib.rc_context(_RC):
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
            _pct_axis(ax.yaxis)
            ax.grid(axis="y", color=GRID, linewidth=0.8)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ticks = [dates[0], dates[len(dates) // 2], dates[-1]] if len(dates) > 2 else list(dates)
            ax.set_xticks([d.toordinal() for d in ticks], [_tick_label(d, True) for d in ticks])
            ax.legend(loc="best", handlelength=1.4)
        panels[0].set_title(
            f"Weekly to the horizon (dashed); shading: {interval * 100:.0f}% interval",
            loc="left",
            color=MUTED,
            fontsize=FONT_PT - 0.5,
        )
        return _svg(fig, f"curves-{width:g}", "Chance of each outcome on every week to the horizon")


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
    with matplotlib.rc_context(_RC):
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
        return _svg(fig, f"drivers-{width:g}", f"Evidence items that moved the probability of {outcome_label} most")


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
    with matplotlib.rc_context(_RC):
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
        return _svg(fig, f"tornado-{width:g}", f"How far P({outcome_label}) moves when each assumption moves")


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
    with matplotlib.rc_context(_RC):
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
        _pct_axis(ax.yaxis)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ticks = _crowd_ticks(lo, xs[0], hi)
        ax.set_xticks(ticks, [_tick_label(date.fromordinal(t), True) for t in ticks])
        fig.legend(loc="outside lower center", ncol=1 if narrow else 2, handlelength=1.4, columnspacing=1.2)
        ax.set_title(
            f"Shading: {interval * 100:.0f}% interval" + ("; dotted: the as-of date" if lo < xs[0] else ""),
            loc="left",
            color=MUTED,
            fontsize=FONT_PT - 0.5,
        )
        return _svg(fig, f"crowd-{width:g}", "Our forecast beside outside forecasts of the same event")
