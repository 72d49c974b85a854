"""What every section shares: dates in words, and a chart drawn at both widths."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from markupsafe import Markup

from .. import charts

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str | date) -> str:
    """'2025-11-26' -> '26 November 2025' (locale-independent)."""
    d = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def short_date(iso: str | date) -> str:
    """'2025-11-26' -> '26 Nov 2025'."""
    d = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"


def both_widths(draw: Callable[[float], str]) -> charts.Chart:
    """Draw a chart at desktop/print width and at phone width, marked safe for the template."""
    return charts.Chart(wide=Markup(draw(charts.WIDTH_IN)), narrow=Markup(draw(charts.NARROW_IN)))
