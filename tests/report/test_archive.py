"""The archive page: every run linked, outside forecasts charted, scores shown, text escaped, atomic."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from forecast.analysis.scorecard import score_question
from forecast.report.archive import ARCHIVE_NAME, write_archive
from forecast.store.resolutions import record_resolution
from tests.fake_runs import fake_run, three_runs, write_benchmarks
from tests.helpers import REPO, shipped_question

HOSTILE = 'War <script>alert("x")</script> & "peace"'


def marks(tmp_path: Path) -> Path:
    return write_benchmarks(
        tmp_path / "benchmarks",
        [
            {"id": "inside", "seen": "2025-12-09", "by": "2025-12-31", "probability": 0.06, "source": "Polymarket"},
            {"id": "outside", "seen": "2026-02-20", "by": "2026-03-31", "probability": 0.24, "source": "Metaculus"},
        ],
    )


def test_the_archive_links_every_run_and_charts_every_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    three_runs(out)
    fake_run(out, "2025-12-17", (0.1, 0.1, 0.1, 0.7), briefing=False)
    html = write_archive(out, marks(tmp_path)).read_text()
    for day in ("2025-11-26", "2025-12-03", "2025-12-10"):
        assert f'href="ukraine-2026/{day}/briefing.html"' in html and f'href="ukraine-2026/{day}/briefing.pdf"' in html
    assert "2025-12-17/briefing" not in html and "not rendered" in html
    # each benchmark is charted at its seen date, labelled with its source and its by date
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Polymarket, by 31 Dec 2025: 6% (seen 2025-12-09)" in svg
    assert "Metaculus, by 31 Mar 2026: 24% (seen 2026-02-20)" in svg  # after every run: still charted
    assert 'id="archive-trend-benchmark-inside"' in svg and 'id="archive-trend-benchmark-outside"' in svg
    assert "Scores" not in html  # nothing resolved yet
    assert not list(out.glob(f".{ARCHIVE_NAME}.*"))


def test_the_archive_shows_scores_once_resolved_and_pairs_only_overlapping_benchmarks(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    three_runs(out)
    q = shipped_question()
    record_resolution(out, q, "ceasefire", q.horizon)
    record_resolution(out, q, "war", date(2025, 12, 31))
    record_resolution(out, q, "war", date(2026, 3, 31))
    score_question(out, REPO / "priors" / "ukraine_2026.yaml", marks(tmp_path))
    html = write_archive(out, marks(tmp_path)).read_text()
    assert "Resolved:</strong> Ceasefire on the line of contact" in html
    assert "Mean of 3 run(s)" in html and "0.800" in html  # mean Brier (0.90 + 1.125 + 0.375) / 3
    table = html[html.index('class="benchmark-scores"') :]
    rows = re.findall(r"<tr><td>(\w[\w-]*)</td>.*?</tr>", table[: table.index("</table>")], flags=re.S)
    assert rows == ["inside", "outside"]
    inside = re.search(r"<tr><td>inside</td>(.*?)</tr>", table, flags=re.S).group(1)
    outside = re.search(r"<tr><td>outside</td>(.*?)</tr>", table, flags=re.S).group(1)
    assert "<td>2025-12-03</td>" in inside
    assert "<td>–</td>" in outside and "2025-12-10" not in outside  # seen after every run: never paired


def test_a_hostile_question_title_is_escaped(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    question = shipped_question().model_dump(mode="json") | {"title": HOSTILE}
    fake_run(out, "2025-11-26", (0.1, 0.2, 0.3, 0.4), question=question)
    html = write_archive(out).read_text()
    assert "<script>" not in html
    assert "War &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;peace&#34;" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_the_archive_renders_in_headless_chromium(tmp_path: Path) -> None:
    from matplotlib import image

    assert CHROMIUM is not None
    out = tmp_path / "reports"
    three_runs(out)
    url = write_archive(out, marks(tmp_path)).resolve().as_uri()
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    assert "<svg" in dom and "2025-12-10/briefing.html" in dom
    shot = tmp_path / "shot.png"
    subprocess.run([*base, f"--screenshot={shot}", "--window-size=1200,1600", url], capture_output=True, timeout=120)
    pixels = image.imread(str(shot))
    colours = {tuple(px) for px in (pixels[::4, ::4, :3] * 255).astype(int).reshape(-1, 3).tolist()}
    assert len(colours) > 50, "screenshot looks blank"


def test_the_briefing_shows_the_track_record_once_scored(tmp_path: Path) -> None:
    from forecast.report.briefing import load_run, render_html

    out = tmp_path / "reports"
    folders = three_runs(out)
    assert "Track record" not in render_html(load_run(folders[-1]))
    q = shipped_question()
    record_resolution(out, q, "ceasefire", q.horizon)
    score_question(out, REPO / "priors" / "ukraine_2026.yaml", tmp_path / "none")
    briefing = load_run(folders[-1])
    assert [t.label for t in briefing.track_record] == ["ukraine-2026 (3 runs)"]
    line = briefing.track_record[0]
    assert (line.brier, line.log_score, line.rps) == ("0.800", "-1.400", "0.219")
    base_brier = 0.025**2 + 0.984**2 + 0.029**2 + 0.93**2
    assert line.skill_brier == f"{1 - 0.8 / base_brier:+.2f}"
    html = render_html(briefing)
    assert 'id="track-record"' in html and "ukraine-2026 (3 runs)" in html
