"""Charts for the briefing, drawn with matplotlib (Agg) and returned as inline SVG text: one module per family.

``base`` (palette, widths, axes, SVG output), ``outcomes`` (the chance of each outcome), ``over_time``
(trend across runs, weekly curves), ``diverging`` (drivers, sensitivity tornado), ``crowd`` (the
outside forecasts), ``archive`` (the archive page's trend). The names are handed on here, so
``charts.trend_chart`` reads as before.
"""

from forecast.report.charts.base import NARROW_IN, OUTCOME_COLOURS, WIDTH_IN, Chart, Series, pp_digits
from forecast.report.charts.crowd import CrowdLine, Marker, crowd_chart, crowd_span
from forecast.report.charts.diverging import Driver, TornadoRow, drivers_chart, tornado_chart
from forecast.report.charts.outcomes import Bar, probability_chart
from forecast.report.charts.over_time import curves_chart, trend_chart

__all__ = [
    "NARROW_IN",
    "OUTCOME_COLOURS",
    "WIDTH_IN",
    "Bar",
    "Chart",
    "CrowdLine",
    "Driver",
    "Marker",
    "Series",
    "TornadoRow",
    "crowd_chart",
    "crowd_span",
    "curves_chart",
    "drivers_chart",
    "pp_digits",
    "probability_chart",
    "tornado_chart",
    "trend_chart",
]
