"""The briefing: an intelligence-style HTML and PDF summary of one forecast run.

Modules, one job each (import from them; this file stays empty so that the formatters do not load
matplotlib):
- ``wep``: words of estimative probability (ICD 203), the bottom-line sentence, number formats
- ``charts``: matplotlib charts as inline SVG (a package: one module per chart family)
- ``earlier``: the earlier runs of the same question (from the history store, or sibling run folders)
- ``context``: summary/manifest/history -> the values the template shows (pure)
- ``briefing``: template rendering and atomic writing; ``render_briefing`` is the entry point
- ``pdf``: HTML -> PDF with WeasyPrint
"""
