"""Where resolutions live and how one is recorded: under the run lock, replaced atomically.

One file per question, ``<out>/resolutions/<question_id>.json`` (:class:`Resolutions`), owned by
the tool: ``forecast resolve`` is the only writer, so a hand edit that breaks it is reported as
``file:line: field: message`` like every other input.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from filelock import FileLock

from forecast.errors import InputError, Problem
from forecast.inputs.schema import Question
from forecast.results.resolution import RESOLUTIONS_DIR, Observation, Resolutions
from forecast.results.summary import read_document, write_document
from forecast.store.runs import LOCK_NAME


class ResolutionConflict(Exception):
    """Another outcome is already recorded for this date, and ``force`` was not given."""


def resolutions_path(out: Path, question_id: str) -> Path:
    return Path(out) / RESOLUTIONS_DIR / f"{question_id}.json"


def load_resolutions(out: Path, question: Question) -> Resolutions:
    """The question's recorded observations (none recorded: an empty document, nothing written)."""
    path = resolutions_path(out, question.id)
    if not path.exists():
        return Resolutions(question_id=question.id, horizon=question.horizon)
    resolutions = read_document(path, Resolutions)
    if problems := resolution_problems(path, resolutions, question):
        raise InputError.of(problems)
    return resolutions


def resolution_problems(path: Path, resolutions: Resolutions, question: Question) -> list[Problem]:
    """A resolutions file edited by hand must still be of this question: its id and horizon, its
    outcome ids, dates within its span, one observation per date (scoring would otherwise fail
    deep inside, or score against an outcome the question does not have)."""
    problems = []
    if resolutions.question_id != question.id:
        problems.append(Problem(str(path), None, "question_id", f"{resolutions.question_id!r} is not {question.id!r}"))
    if resolutions.horizon != question.horizon:
        message = f"{resolutions.horizon} is not the question's horizon {question.horizon}"
        problems.append(Problem(str(path), None, "horizon", message))
    seen: set[date] = set()
    for k, observation in enumerate(resolutions.observations):
        where = f"observations.{k}"
        if observation.outcome not in question.outcome_ids:
            message = f"unknown outcome {observation.outcome!r}; outcomes are {', '.join(question.outcome_ids)}"
            problems.append(Problem(str(path), None, f"{where}.outcome", message))
        if not question.start <= observation.date <= question.horizon:
            message = f"{observation.date} is outside the question's span {question.start} .. {question.horizon}"
            problems.append(Problem(str(path), None, f"{where}.date", message))
        if observation.date in seen:
            problems.append(Problem(str(path), None, f"{where}.date", f"{observation.date} is recorded twice"))
        seen.add(observation.date)
    return problems


def record_resolution(
    out: Path,
    question: Question,
    outcome: str,
    day: date,
    source: str | None = None,
    note: str | None = None,
    force: bool = False,
) -> Resolutions:
    """Record ``outcome`` as the state on ``day``; a different outcome already there needs ``force``."""
    if outcome not in question.outcome_ids:
        raise InputError(
            "--outcome", None, "outcome", f"unknown outcome {outcome!r}; choose from {', '.join(question.outcome_ids)}"
        )
    if not question.start <= day <= question.horizon:
        raise InputError(
            "--date", None, "date", f"{day} is outside the question's span {question.start} .. {question.horizon}"
        )
    out = Path(out)
    path = resolutions_path(out, question.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(out / LOCK_NAME):
        current = load_resolutions(out, question)
        earlier = current.on(day)
        if earlier is not None and earlier.outcome != outcome and not force:
            raise ResolutionConflict(
                f"{day} is recorded as {earlier.outcome!r} in {path}; pass --force to record {outcome!r} instead"
            )
        observation = Observation(
            date=day,
            outcome=outcome,
            source=source,
            note=note,
            recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        kept = [o for o in current.observations if o.date != day]
        updated = current.model_copy(update={"observations": sorted([*kept, observation], key=lambda o: o.date)})
        write_document(path, updated)  # atomic
    return updated
