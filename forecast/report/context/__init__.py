"""Turn a run's summary/manifest (plus earlier runs) into the plain values the template shows.

Pure: no file access, no clock. Everything the reader sees is formatted here, so the template
only lays it out and Jinja2 escapes it. One module per briefing section: ``outcomes`` (the bottom
line), ``curves`` (the chance over time and the drivers), ``movers`` (what moved it, new evidence),
``reference`` (the reference class), ``appendix`` (diagnostics, inputs), ``crowd_view`` (the
benchmarks); ``assemble`` gathers them into one :class:`Briefing`, ``common`` holds what they share.
"""

from .appendix import HASH_SHOWN, MAX_EXCLUDED, MAX_WARNINGS, Check, InputFile
from .assemble import Briefing, build
from .common import long_date, short_date
from .crowd_view import MATCH_WORDS, Crowd, CrowdRow, crowd, crowd_lines, crowd_pct, crowd_sentence, union_words
from .curves import DriverPanelRow, state_sentence
from .movers import MAX_NEW_ITEMS, MOVER_TITLE, TOP_DRIVERS, EvidenceRow, ImpactCell, MoverRow
from .outcomes import OutcomeRow, interval_sentence
from .reference import HazardLine

__all__ = [
    "HASH_SHOWN",
    "MATCH_WORDS",
    "MAX_EXCLUDED",
    "MAX_NEW_ITEMS",
    "MAX_WARNINGS",
    "MOVER_TITLE",
    "TOP_DRIVERS",
    "Briefing",
    "Check",
    "Crowd",
    "CrowdRow",
    "DriverPanelRow",
    "EvidenceRow",
    "HazardLine",
    "ImpactCell",
    "InputFile",
    "MoverRow",
    "OutcomeRow",
    "build",
    "crowd",
    "crowd_lines",
    "crowd_pct",
    "crowd_sentence",
    "interval_sentence",
    "long_date",
    "short_date",
    "state_sentence",
    "union_words",
]
