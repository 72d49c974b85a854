"""The crowd beside the forecast: one sentence per benchmark with both numbers, escaped, charted."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

from forecast.report import charts
from forecast.report.briefing import load_run, render_html
from forecast.report.context import crowd_lines
from forecast.results.summary import Summary
from tests.helpers import manifest_document, summary_document

AS_OF = "2025-12-10"
HOSTILE = "<script>alert(1)</script> & <b>bold</b>"


def comparison(**changes: Any) -> dict[str, Any]:
    return {
        "id": "polymarket-ceasefire-2026-03-31",
        "question_id": "ukraine-2026",
        "source": "Polymarket",
        "question": "Russia x Ukraine ceasefire by March 31, 2026?",
        "url": "https://polytrackhq.app/",
        "seen": "2025-12-09",
        "probability": 0.24,
        "outcomes": ["ceasefire", "deal"],
        "by": "2026-03-31",
        "match": "loose",
        "differences": "the market counts any announced ceasefire",
        "via": None,
        "ours": {"mean": 0.0075, "low": 0.0019, "high": 0.0211},
    } | changes


def run_dir(tmp_path: Path, benchmarks: list[dict[str, Any]]) -> Path:
    summary = summary_document(AS_OF)
    union = [
        {**p, "mean": p["mean"] / 10, "low": p["low"] / 10, "high": p["high"] / 10} for p in summary["curves"]["deal"]
    ]
    summary["benchmarks"] = benchmarks
    summary["union_curves"] = {"ceasefire+deal": union} if benchmarks else {}
    folder = tmp_path / "runs" / AS_OF
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest_document(AS_OF)), encoding="utf-8")
    return folder


def section_text(html: str, section: str) -> str:
    """The visible text of one <section id=...> (charts and tags dropped), whitespace squashed."""
    body = html.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", body))).strip()


def test_each_benchmark_gets_a_sentence_with_both_numbers(tmp_path: Path) -> None:
    html = render_html(load_run(run_dir(tmp_path, [comparison()])))
    text = section_text(html, "crowd")
    assert (
        "The forecast puts a ceasefire or deal in effect on 31 March 2026 at 0.8% (0.2–2.1%); Polymarket stood at "
        "24% on 9 December 2025 for a question whose wording differs: the market counts any announced ceasefire."
    ) in text
    assert "The crowd beside the forecast" in html and html.count("<svg", html.index('id="crowd"')) >= 2
    assert "loose, the questions differ" in text and "same, their question resolves exactly as ours does" in text


def test_close_and_same_are_worded_as_such(tmp_path: Path) -> None:
    rows = [
        comparison(id="a", match="close"),
        comparison(id="b", match="same", ours={"mean": 0.31, "low": 0.2, "high": 0.45}),
    ]
    text = section_text(render_html(load_run(run_dir(tmp_path, rows))), "crowd")
    assert "for a question worded nearly the same way: the market counts any announced ceasefire." in text
    assert "at 31% (20–45%); Polymarket stood at 24% on 9 December 2025 for the same question." in text


def test_analyst_text_in_a_benchmark_is_escaped(tmp_path: Path) -> None:
    html = render_html(load_run(run_dir(tmp_path, [comparison(differences=HOSTILE, source="<i>Mkt</i>")])))
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html and "<i>Mkt</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert HOSTILE in section_text(html, "crowd")


def test_a_benchmark_whose_date_has_passed_says_so_and_is_still_charted(tmp_path: Path) -> None:
    past = comparison(id="polymarket-2025", by="2025-12-01", probability=0.06, seen="2025-11-30", ours=None)
    folder = run_dir(tmp_path, [past, comparison()])
    text = section_text(render_html(load_run(folder)), "crowd")
    assert (
        "1 December 2025 is before this run's as-of date (10 December 2025), so the forecast gives no number for "
        "a ceasefire or deal in effect on it; Polymarket stood at 6% on 30 November 2025"
    ) in text
    summary = Summary.model_validate_json((folder / "summary.json").read_text())
    dates, lines = crowd_lines(summary)
    assert [(m.day, m.probability) for m in lines[0].markers] == [(date(2025, 12, 1), 0.06), (date(2026, 3, 31), 0.24)]
    assert dates[0] == date(2025, 12, 10)
    assert charts.crowd_span(dates, lines)[0] == date(2025, 12, 1).toordinal()  # the axis reaches back to it


def test_no_benchmarks_no_section(tmp_path: Path) -> None:
    html = render_html(load_run(run_dir(tmp_path, [])))
    assert 'id="crowd"' not in html and "The crowd beside the forecast" not in html
