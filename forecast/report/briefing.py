"""Render a run folder's briefing (HTML and PDF from one Jinja2 template), atomically."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from forecast.results.summary import MANIFEST_NAME, SUMMARY_NAME, Manifest, Summary, read_document, write_atomic
from forecast.store.history import HistoryStore, Record
from forecast.store.runs import out_of

from .context import Briefing, build
from .earlier import earlier_runs, find_history

TEMPLATE = "briefing.html.j2"
HTML_NAME = "briefing.html"
PDF_NAME = "briefing.pdf"
_TEMPLATES = Path(__file__).parent / "templates"


def keep_ranges(text: str) -> Markup:
    """Escape ``text`` and keep number ranges such as '51–75%' on one line."""
    return Markup(re.sub(r"(\d+\u2013\d+%)", r'<span class="nobr">\1</span>', str(escape(text))))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
    )
    env.filters["keep_ranges"] = keep_ranges
    return env


def render_html(briefing: Briefing) -> str:
    """The briefing as one self-contained HTML page (screen and print CSS both inside)."""
    return _environment().get_template(TEMPLATE).render(b=briefing)


def load_run(run_dir: Path, history: list[Record] | None = None) -> Briefing:
    """Read ``run_dir``'s summary/manifest and its earlier runs into template values."""
    summary = read_document(run_dir / SUMMARY_NAME, Summary)
    manifest = read_document(run_dir / MANIFEST_NAME, Manifest)
    runs = find_history(run_dir, summary) if history is None else earlier_runs(summary, history)
    scores = HistoryStore.beside(out_of(run_dir)).scores()  # a staging folder sits beside the runs too
    return build(summary, manifest, runs, scores)


def render_briefing(run_dir: Path, history: list[Record] | None = None) -> tuple[Path, Path]:
    """Render briefing.html and briefing.pdf into run_dir from its summary.json/manifest.json.

    ``history``: earlier runs (older first), optional; when None, the history store of the
    run's ``<out>`` is read, or without one the sibling run folders in ``run_dir.parent`` with the
    same question id and an earlier as_of.
    Runs of another question or not earlier than this one are ignored either way.
    The previous run (latest earlier as_of) gives "change since last run"; all runs give the
    trend chart. Both files are rendered in memory first and only then written, each atomically,
    so a failure leaves the old briefing in place. Returns (html_path, pdf_path).
    """
    from .pdf import html_to_pdf  # WeasyPrint takes ~1 s to import; runs with --no-briefing skip it

    run_dir = Path(run_dir)
    briefing = load_run(run_dir, history)
    html = render_html(briefing)
    pdf = html_to_pdf(html, run_dir, briefing.run_id)
    html_path, pdf_path = run_dir / HTML_NAME, run_dir / PDF_NAME
    write_atomic(html_path, html.encode("utf-8"))
    write_atomic(pdf_path, pdf)
    return html_path, pdf_path
