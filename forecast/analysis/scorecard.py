"""Scoring a resolved question: every recorded run and every outside benchmark, on what they said then.

The numbers scored are the ones recorded at run time (the history row's outcome means, the run's
``summary.json`` no-evidence baseline and curves), never recomputed: a later model, catalogue or
reference-data change must not rewrite how earlier forecasts did. The maths is
:mod:`forecast.results.scoring`; the scores land in the history store's ``scores`` table, rebuilt
for the question on every call, and on the archive page.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from pydantic import BaseModel

from forecast.errors import InputError
from forecast.inputs.load import load_benchmarks, load_question
from forecast.inputs.schema import Benchmark, Question
from forecast.results import scoring
from forecast.results.resolution import Observation, Resolutions
from forecast.results.summary import SUMMARY_NAME, Summary, read_document
from forecast.store.history import HistoryStore, Record, ScoreRow
from forecast.store.resolutions import load_resolutions
from forecast.store.runs import LOCK_NAME, migrate, run_dir

log = logging.getLogger(__name__)

SCORES = ("brier", "log_score", "rps")


class NotResolved(Exception):
    """The question's state on its horizon is not recorded yet."""


class RunScore(BaseModel):
    as_of: str
    run_id: str
    probabilities: dict[str, float]
    brier: float
    log_score: float
    rps: float
    baseline: dict[str, float | None]
    skill: dict[str, float | None]


class BenchmarkScore(BaseModel):
    id: str
    source: str
    seen: date
    by: date
    outcomes: list[str]
    probability: float
    observed: str
    happened: bool
    brier: float
    log_score: float
    run: str | None  # the as-of date of the run it is paired with
    run_probability: float | None
    run_scores: dict[str, float | None]


class Scorecard(BaseModel):
    """What ``forecast score --json`` prints."""

    question: dict[str, Any]
    resolution: dict[str, Any]
    runs: list[RunScore]
    benchmarks: list[BenchmarkScore]
    mean: dict[str, Any]


def score_question(out: Path, priors: Path, benchmarks: Path, question_id: str | None = None) -> Scorecard:
    """Score every recorded run and benchmark of the priors' question (``question_id`` of several) and
    record the scores."""
    migrate(out)
    question = load_question(priors, question_id)
    resolutions = load_resolutions(out, question)
    final = resolutions.resolved
    if final is None:
        raise NotResolved(
            f"{question.id} is not resolved: no state recorded for its horizon {question.horizon} "
            f"(forecast resolve --outcome K --date {question.horizon})"
        )
    store = HistoryStore.beside(out)
    records = store.records(question.id)
    summaries = {r.as_of: _summary(out, r) for r in records}
    runs = [_run_score(question, r, summaries[r.as_of], final.outcome) for r in records]
    marks = [_benchmark_score(b, resolutions, records, summaries) for b in load_benchmarks(benchmarks, question)]
    scored = [m for m in marks if m is not None]
    card = Scorecard(
        question={"id": question.id, "title": question.title, "horizon": question.horizon.isoformat()},
        resolution=final.model_dump(mode="json"),
        runs=runs,
        benchmarks=scored,
        mean=_means(runs, scored),
    )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with FileLock(Path(out) / LOCK_NAME):
        store.replace_scores(question.id, score_rows(question.id, card, resolutions, now))
    return card


def _summary(out: Path, record: Record) -> Summary | None:
    """The run's ``summary.json`` (for its baseline and curves); None, with a warning, if it is gone."""
    try:
        return read_document(run_dir(out, record.question_id, date.fromisoformat(record.as_of)) / SUMMARY_NAME, Summary)
    except InputError as exc:
        log.warning("run %s is scored without its baseline: %s", record.as_of, exc)
        return None


def _scores(probabilities: dict[str, float], observed: str, order: list[str]) -> dict[str, float]:
    return {
        "brier": scoring.brier(probabilities, observed, order),
        "log_score": scoring.log_score(probabilities, observed),
        "rps": scoring.rps(probabilities, observed, order),
    }


def _skill(own: dict[str, float], base: dict[str, float | None]) -> dict[str, float | None]:
    b, lg, r = base.get("brier"), base.get("log_score"), base.get("rps")
    return {
        "brier": None if b is None else scoring.skill(own["brier"], b),
        "log_score": None if lg is None else scoring.log_skill(own["log_score"], lg),
        "rps": None if r is None else scoring.skill(own["rps"], r),
    }


def _run_score(question: Question, record: Record, summary: Summary | None, observed: str) -> RunScore:
    order = question.outcome_ids
    probabilities = {k: v.mean for k, v in record.outcomes.items()}
    own = _scores(probabilities, observed, order)
    base: dict[str, float | None] = dict.fromkeys(SCORES)
    if summary is not None and summary.reference.no_evidence:
        base.update(_scores({k: v.mean for k, v in summary.reference.no_evidence.items()}, observed, order))
    return RunScore(
        as_of=record.as_of,
        run_id=record.run_id,
        probabilities=probabilities,
        **own,
        baseline=base,
        skill=_skill(own, base),
    )


def curve_value(summary: Summary, outcomes: list[str], day: date) -> float | None:
    """The run's recorded chance that the state on ``day`` is one of ``outcomes`` (curve means, interpolated)."""
    values = [scoring.interpolate([(p.date, p.mean) for p in summary.curves.get(k, [])], day) for k in outcomes]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _benchmark_score(
    benchmark: Benchmark, resolutions: Resolutions, records: list[Record], summaries: dict[str, Summary | None]
) -> BenchmarkScore | None:
    observation: Observation | None = resolutions.on(benchmark.by)
    if observation is None:
        return None
    happened = observation.outcome in benchmark.outcomes
    paired = scoring.paired_run(benchmark.seen, [date.fromisoformat(r.as_of) for r in records])
    summary = summaries.get(paired.isoformat()) if paired else None
    ours = curve_value(summary, benchmark.outcomes, benchmark.by) if summary is not None else None
    return BenchmarkScore(
        id=benchmark.id,
        source=benchmark.source,
        seen=benchmark.seen,
        by=benchmark.by,
        outcomes=benchmark.outcomes,
        probability=benchmark.probability,
        observed=observation.outcome,
        happened=happened,
        brier=scoring.binary_brier(benchmark.probability, happened),
        log_score=scoring.binary_log(benchmark.probability, happened),
        run=paired.isoformat() if paired else None,
        run_probability=ours,
        run_scores={
            "brier": None if ours is None else scoring.binary_brier(ours, happened),
            "log_score": None if ours is None else scoring.binary_log(ours, happened),
        },
    )


def _means(runs: list[RunScore], benchmarks: list[BenchmarkScore]) -> dict[str, Any]:
    """Means over runs; skill of the means (not the mean of skills: one bad baseline cannot dominate)."""
    own = {k: scoring.mean([getattr(r, k) for r in runs]) for k in SCORES}
    base = {k: scoring.mean([r.baseline[k] for r in runs]) for k in SCORES}
    skill: dict[str, float | None] = dict.fromkeys(SCORES)
    if all(v is not None for v in (*own.values(), *base.values())):
        skill = _skill({k: v for k, v in own.items() if v is not None}, base)
    return {
        "runs": len(runs),
        **own,
        "baseline": base,
        "skill": skill,
        "benchmarks": {
            "count": len(benchmarks),
            "brier": scoring.mean([b.brier for b in benchmarks]),
            "log_score": scoring.mean([b.log_score for b in benchmarks]),
            "ours_brier": scoring.mean([b.run_scores["brier"] for b in benchmarks]),
            "ours_log_score": scoring.mean([b.run_scores["log_score"] for b in benchmarks]),
        },
    }


def score_rows(question_id: str, card: Scorecard, resolutions: Resolutions, now: str) -> list[ScoreRow]:
    """The scorecard as rows of the ``scores`` table."""
    final = card.resolution
    rows = [
        ScoreRow(
            question_id=question_id,
            kind="run",
            key=r.as_of,
            as_of=r.as_of,
            resolved_on=final["date"],
            observed=final["outcome"],
            brier=r.brier,
            log_score=r.log_score,
            rps=r.rps,
            baseline=r.baseline,
            skill=r.skill,
            detail={"run_id": r.run_id, "probabilities": r.probabilities},
            scored_at=now,
        )
        for r in card.runs
    ]
    rows += [
        ScoreRow(
            question_id=question_id,
            kind="benchmark",
            key=b.id,
            as_of=b.run,
            resolved_on=b.by.isoformat(),
            observed=b.observed,
            brier=b.brier,
            log_score=b.log_score,
            baseline=b.run_scores,
            skill={},
            detail={
                "source": b.source,
                "seen": b.seen.isoformat(),
                "probability": b.probability,
                "outcomes": b.outcomes,
                "run_probability": b.run_probability,
            },
            scored_at=now,
        )
        for b in card.benchmarks
    ]
    return rows
