"""Words of estimative probability (ICD 203) and the bottom-line sentence.

Convention (tested): a probability is first rounded to the whole percent shown to the reader,
and the word is chosen from that number, so the word and the number never disagree. A value
exactly on a band edge belongs to the band *nearer 50%*: 5% is "very unlikely", 20% "unlikely",
45% and 55% "roughly even chance", 80% "likely", 95% "very likely". This makes the scale
symmetric: P and 1 - P always get mirror-image words. Below 5% is "almost no chance" (ICD 203
gives 1-5%; anything lower is the same word), above 95% is "almost certain".
"""

from __future__ import annotations

import math

# (upper edge in whole percent, inclusive?, term), scanned in order.
_BANDS: tuple[tuple[int, bool, str], ...] = (
    (5, False, "almost no chance"),
    (20, False, "very unlikely"),
    (45, False, "unlikely"),
    (55, True, "roughly even chance"),
    (80, True, "likely"),
    (95, True, "very likely"),
    (100, True, "almost certain"),
)

EN_DASH = "\u2013"
MINUS = "\u2212"


def percent(p: float) -> int:
    """Whole percent shown to the reader (round half up, clamped to 0..100)."""
    if not math.isfinite(p):
        raise ValueError(f"probability must be finite, got {p!r}")
    return max(0, min(100, math.floor(p * 100 + 0.5 + 1e-9)))


def wep_term(p: float) -> str:
    """The ICD 203 term for probability ``p`` (a fraction in [0, 1])."""
    n = percent(p)
    for edge, inclusive, term in _BANDS:
        if n < edge or (inclusive and n == edge):
            return term
    return _BANDS[-1][2]


def format_pct(p: float) -> str:
    """'64%', with '<1%' and '>99%' at the extremes so nothing reads as impossible or certain."""
    if p < 0.005:
        return "<1%"
    if p > 0.995:
        return ">99%"
    return f"{percent(p)}%"


def format_interval(low: float, high: float) -> str:
    """'51–75%' (en dash, one percent sign); bounds are plain whole percents ('0–3%')."""
    return f"{percent(low)}{EN_DASH}{percent(high)}%"


def format_number(value: float | int | None, fmt: str) -> str:
    """``value`` formatted with ``fmt``, or 'n/a' when it is missing or not finite (one rule everywhere)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return format(value, fmt)


def format_pp(delta: float, digits: int = 1) -> str:
    """Signed percentage points from a fraction: +3.2 pp, −1.5 pp (true minus), 0.0 pp."""
    value = round(delta * 100, digits)
    if value == 0:
        return f"{0:.{digits}f} pp"
    sign = "+" if value > 0 else MINUS
    return f"{sign}{abs(value):.{digits}f} pp"


def arrow(delta: float, digits: int = 1) -> str:
    """▲ for a rise, ▼ for a fall, ■ when the change rounds to zero."""
    value = round(delta * 100, digits)
    if value > 0:
        return "\u25b2"
    if value < 0:
        return "\u25bc"
    return "\u25a0"


def bottom_line(label: str, mean: float, low: float, high: float, interval: float) -> str:
    """'Continued war on the horizon date is likely (64%; 90% interval 51–75%).'

    Likelihood only: no analytic-confidence wording goes into this sentence (ICD 203 keeps the
    two apart).
    """
    level = f"{percent(interval)}%"
    return (
        f"{label} on the horizon date is {wep_term(mean)} "
        f"({format_pct(mean)}; {level} interval {format_interval(low, high)})."
    )
