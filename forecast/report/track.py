"""Scores shown on a page: one line of Brier, log and RPS with their skill, shared by archive and briefing."""

from __future__ import annotations

from dataclasses import dataclass

from forecast.results import scoring
from forecast.store.history import ScoreRow

SCORES = ("brier", "log_score", "rps")


@dataclass(frozen=True)
class ScoreLine:
    label: str
    brier: str
    log_score: str
    rps: str
    skill_brier: str
    skill_log: str
    skill_rps: str


def num(value: float | None, spec: str = ".3f") -> str:
    return "–" if value is None else format(value, spec)


def mean_line(runs: list[ScoreRow], label: str) -> ScoreLine:
    """Mean scores over ``runs`` and the skill of those means against the mean baseline scores."""

    own = {k: scoring.mean([getattr(s, k) for s in runs]) for k in SCORES}
    base = {k: scoring.mean([s.baseline.get(k) for s in runs]) for k in SCORES}

    def ratio(k: str) -> float | None:
        o, b = own[k], base[k]
        return None if o is None or b is None else scoring.skill(o, b)

    o_log, b_log = own["log_score"], base["log_score"]
    gain = None if o_log is None or b_log is None else scoring.log_skill(o_log, b_log)
    return ScoreLine(
        label,
        num(own["brier"]),
        num(own["log_score"]),
        num(own["rps"]),
        num(ratio("brier"), "+.2f"),
        num(gain, "+.2f"),
        num(ratio("rps"), "+.2f"),
    )


def track_record(scores: list[ScoreRow]) -> list[ScoreLine]:
    """One mean line per resolved question with scored runs (label: question id and run count)."""
    lines = []
    for qid in dict.fromkeys(s.question_id for s in scores):
        runs = [s for s in scores if s.question_id == qid and s.kind == "run"]
        if runs:
            lines.append(mean_line(runs, f"{qid} ({len(runs)} run{'s' if len(runs) != 1 else ''})"))
    return lines
