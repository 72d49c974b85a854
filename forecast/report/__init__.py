"""The briefing: an intelligence-style HTML and PDF summary of one forecast run.

Modules, one job each:
- ``wep``: words of estimative probability (ICD 203) and the bottom-line sentence
- ``charts``: matplotlib charts as inline SVG
- ``history``: reading run folders and finding earlier runs of the same question (from the
  history store, :mod:`forecast.store.history`, when the output folder has one)
- ``context``: summary/manifest/history -> the values the template shows (pure)
- ``briefing``: template rendering and atomic writing; ``render_briefing`` is the entry point
- ``pdf``: HTML -> PDF with WeasyPrint
"""

from .briefing import render_briefing, render_html

__all__ = ["render_briefing", "render_html"]
