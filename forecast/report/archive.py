"""The archive page ``<out>/index.html``: every run, the trend over runs, outside forecasts and the scores.

Rebuilt from the history store, the run folders, the benchmarks and the resolutions after every
run, backfill, resolve and score (and by ``forecast archive``), and written atomically, so a
reader never sees half a page. One self-contained HTML file: inline CSS and SVG, analyst text
escaped by Jinja2.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from forecast.errors import InputError
from forecast.inputs.load import load_benchmarks
from forecast.inputs.schema import Benchmark
from forecast.results.summary import RHAT_MAX, SUMMARY_NAME, Summary, read_document, write_atomic
from forecast.store.history import HistoryStore, Record, ScoreRow
from forecast.store.resolutions import load_resolutions
from forecast.store.runs import run_dir

from .briefing import HTML_NAME, PDF_NAME
from .charts import Series
from .charts.archive import Point, archive_chart
from .context import long_date, short_date
from .track import ScoreLine, mean_line, num
from .wep import format_interval, format_number, format_pct

log = logging.getLogger(__name__)

ARCHIVE_NAME = "index.html"
TEMPLATE = "archive.html.j2"
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RunRow:
    as_of: str
    run_id: str
    lead: str
    lead_pct: str
    lead_interval: str
    rhat: str
    rhat_ok: bool
    html: str | None  # link relative to the archive page, when the run has a briefing
    pdf: str | None


@dataclass(frozen=True)
class BenchmarkRow:
    id: str
    source: str
    question: str
    url: str
    seen: str
    by: str
    probability: str
    outcomes: str
    match: str


@dataclass(frozen=True)
class BenchmarkScoreLine:
    id: str
    source: str
    probability: str
    brier: str
    log_score: str
    paired: str  # the run it is compared with, or a dash
    ours: str
    ours_brier: str


@dataclass
class QuestionView:
    id: str
    title: str
    horizon: str
    resolution: str | None
    runs: list[RunRow]
    chart: Markup | None
    benchmarks: list[BenchmarkRow] = field(default_factory=list)
    scores: list[ScoreLine] = field(default_factory=list)
    mean: ScoreLine | None = None
    benchmark_scores: list[BenchmarkScoreLine] = field(default_factory=list)


def write_archive(out: Path, benchmarks: Path | None = None) -> Path:
    """Render ``<out>/index.html`` atomically: a section per question, each with the benchmarks naming it."""
    out = Path(out)
    store = HistoryStore.beside(out)
    records = store.records()
    questions = []
    for qid in dict.fromkeys(r.question_id for r in records):
        rows = [r for r in records if r.question_id == qid]
        questions.append(question_view(out, rows, benchmarks, store.scores(qid)))
    html = render_archive(questions)
    path = out / ARCHIVE_NAME
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(path, html.encode("utf-8"))
    return path


def render_archive(questions: list[QuestionView]) -> str:
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=StrictUndefined)
    return env.get_template(TEMPLATE).render(questions=questions)


def _latest_summary(out: Path, rows: list[Record]) -> Summary | None:
    for record in reversed(rows):
        try:
            folder = run_dir(out, record.question_id, date.fromisoformat(record.as_of))
            return read_document(folder / SUMMARY_NAME, Summary)
        except InputError as exc:
            log.warning("archive: %s", exc)
    return None


def question_view(out: Path, rows: list[Record], benchmarks: Path | None, scores: list[ScoreRow]) -> QuestionView:
    """One question's section: its runs (oldest first), chart, outside forecasts and scores."""
    summary = _latest_summary(out, rows)
    order = summary.question.outcome_ids if summary else list(dict.fromkeys(k for r in rows for k in r.outcomes))
    labels = {o.id: o.label for o in summary.question.outcomes} if summary else {k: k for k in order}
    marks: list[Benchmark] = load_benchmarks(benchmarks, summary.question) if benchmarks and summary else []
    resolution = None
    if summary is not None:
        observed = load_resolutions(out, summary.question).resolved
        resolution = None if observed is None else f"{labels.get(observed.outcome, observed.outcome)}"
    view = QuestionView(
        id=rows[0].question_id,
        title=summary.question.title if summary else rows[0].question_id,
        horizon=long_date(rows[0].horizon),
        resolution=resolution,
        runs=[_run_row(out, r, labels) for r in reversed(rows)],
        chart=_chart(rows, order, labels, marks),
        benchmarks=[_benchmark_row(b, labels) for b in marks],
    )
    _add_scores(view, scores)
    return view


def _run_row(out: Path, record: Record, labels: dict[str, str]) -> RunRow:
    lead, est = max(record.outcomes.items(), key=lambda kv: kv[1].mean)
    folder = run_dir(out, record.question_id, date.fromisoformat(record.as_of))
    rhat = record.diagnostics.rhat_max

    def link(name: str) -> str | None:
        return folder.relative_to(out).joinpath(name).as_posix() if (folder / name).is_file() else None

    return RunRow(
        as_of=record.as_of,
        run_id=record.run_id,
        lead=labels.get(lead, lead),
        lead_pct=format_pct(est.mean),
        lead_interval=format_interval(est.low, est.high),
        rhat=format_number(rhat, ".3f"),
        rhat_ok=not (math.isfinite(rhat) and rhat > RHAT_MAX),
        html=link(HTML_NAME),
        pdf=link(PDF_NAME),
    )


def _chart(rows: list[Record], order: list[str], labels: dict[str, str], marks: list[Benchmark]) -> Markup | None:
    if not rows:
        return None
    dates = [date.fromisoformat(r.as_of) for r in rows]

    def col(oid: str, key: str) -> list[float]:
        return [getattr(r.outcomes[oid], key) if oid in r.outcomes else math.nan for r in rows]

    series = [Series(labels.get(k, k), col(k, "mean"), col(k, "low"), col(k, "high")) for k in order]
    points = [
        Point(b.id, b.seen, b.probability, f"{b.source}, by {short_date(b.by)}: {format_pct(b.probability)}")
        for b in marks
    ]
    return Markup(archive_chart(dates, series, rows[-1].interval, points))


def _benchmark_row(b: Benchmark, labels: dict[str, str]) -> BenchmarkRow:
    return BenchmarkRow(
        id=b.id,
        source=b.source,
        question=b.question,
        url=b.url,
        seen=short_date(b.seen),
        by=short_date(b.by),
        probability=format_pct(b.probability),
        outcomes=" or ".join(labels.get(k, k).lower() for k in b.outcomes),
        match=b.match,
    )


def _add_scores(view: QuestionView, scores: list[ScoreRow]) -> None:
    runs = [s for s in scores if s.kind == "run"]
    for s in runs:
        view.scores.append(
            ScoreLine(
                s.key,
                num(s.brier),
                num(s.log_score),
                num(s.rps),
                num(s.skill.get("brier"), "+.2f"),
                num(s.skill.get("log_score"), "+.2f"),
                num(s.skill.get("rps"), "+.2f"),
            )
        )
    if runs:
        view.mean = mean_line(runs, f"Mean of {len(runs)} run(s)")
    for s in scores:
        if s.kind != "benchmark":
            continue
        ours = s.detail.get("run_probability")
        view.benchmark_scores.append(
            BenchmarkScoreLine(
                id=s.key,
                source=str(s.detail.get("source", "")),
                probability=format_pct(float(s.detail.get("probability", math.nan))),
                brier=num(s.brier),
                log_score=num(s.log_score),
                paired=s.as_of or "–",
                ours="–" if ours is None else format_pct(float(ours)),
                ours_brier=num(s.baseline.get("brier")),
            )
        )


def refresh_archive(out: Path, benchmarks: Path | None = None) -> Path | None:
    """Rewrite the archive after a run, resolve or score; bad benchmarks or a broken store only warn.

    The run (or the score) is already recorded by then: a page that cannot be drawn must not undo it.
    """
    try:
        return write_archive(out, benchmarks)
    except InputError as exc:
        log.warning("the archive page %s was not rewritten: %s", Path(out) / ARCHIVE_NAME, exc)
        return None
