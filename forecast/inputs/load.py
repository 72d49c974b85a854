"""Load and validate the question, the kind catalogue, the evidence tree and the benchmarks.

Every problem becomes a :class:`~forecast.errors.Problem` (``file:line: field: message``); loaders
collect all of them and raise one :class:`~forecast.errors.InputError`, so an analyst fixes a
whole file in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from forecast.errors import InputError, Problem
from forecast.inputs.schema import DRIVER_IDS, Benchmark, EvidenceItem, Kind, Question
from forecast.inputs.yamlio import Loc, LocatedData, load_yaml
from forecast.states import STATES

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LocatedItem:
    """An evidence item and where it was written."""

    item: EvidenceItem
    path: Path
    line: int | None


def default_kinds_path() -> Path:
    return Path(str(resources.files("forecast.inputs") / "kinds.yaml"))


def _errors_from_validation(located: LocatedData, err: ValidationError, prefix: Loc = ()) -> list[Problem]:
    out = []
    for problem in err.errors():
        loc = (*prefix, *problem["loc"])
        field = ".".join(str(p) for p in problem["loc"]) or "item"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        out.append(Problem(str(located.path), located.line_of(loc), field, message))
    return out


def _validate(
    model: type[BaseModel], located: LocatedData, data: Any, prefix: Loc = (), context: dict | None = None
) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as err:
        return None, _errors_from_validation(located, err, prefix)


def load_question(path: Path, question_id: str | None = None) -> Question:
    """The question in ``path``: a file, or the file of a priors folder (``question_id`` picks one of several)."""
    return pick_question(located_questions(path), path, question_id)[1]


def load_questions(path: Path) -> list[Question]:
    """Every question in ``path`` (a file, or a priors folder), in file order, their ids distinct."""
    return [question for _, question in located_questions(path)]


def located_questions(path: Path) -> list[tuple[Path, Question]]:
    """Every question file in ``path`` with its question, each read once, their ids distinct."""
    found = [(p, _read_question(p)) for p in question_paths(path)]
    seen: dict[str, Path] = {}
    for file, question in found:
        if question.id in seen:
            raise InputError(file, 1, "id", f"question id {question.id!r} is also the id in {seen[question.id]}")
        seen[question.id] = file
    return found


def _read_question(path: Path) -> Question:
    located = load_yaml(path)
    if not isinstance(located.data, dict):
        raise InputError(path, 1, "", "a question file must be a mapping")
    question, errors = _validate(Question, located, located.data)
    if errors:
        raise InputError.of(errors)
    return question


def question_paths(path: Path) -> list[Path]:
    """The question files: ``path`` itself, or every YAML file in folder ``path`` (at least one)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(path, None, "", "no such file or folder")
    files = sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())
    if not files:
        raise InputError(path, None, "", "no question file (*.yaml) in this folder")
    return files


def question_path(path: Path, question_id: str | None = None) -> Path:
    """The file of one question: the only one in ``path``, or the one whose ``id`` is ``question_id``."""
    return pick_question(located_questions(path), path, question_id)[0]


def pick_question(
    found: list[tuple[Path, Question]], path: Path, question_id: str | None = None
) -> tuple[Path, Question]:
    """Of the questions ``found`` in ``path``: the only one, or the one whose ``id`` is ``question_id``."""
    ids = ", ".join(question.id for _, question in found)
    if question_id is None:
        if len(found) == 1:
            return found[0]
        raise InputError(path, None, "", f"holds {len(found)} questions ({ids}): name one with --question ID")
    for file, question in found:
        if question.id == question_id:
            return file, question
    raise InputError(path, None, "question", f"no question {question_id!r} here; the questions are {ids}")


def fit_group(questions: list[Question], question: Question) -> list[Question]:
    """``question`` and those of ``questions`` sharing its fit (same :meth:`Question.model_key`): the
    model's grid runs past the latest of their horizons."""
    key = question.model_key()
    return [question, *(q for q in questions if q.model_key() == key and q.id != question.id)]


def latest_question(questions: list[Question]) -> Question:
    """The question with the latest horizon: its span covers the others' ends."""
    return max(questions, key=lambda q: q.horizon)


def story_question(path: Path, question_id: str | None = None) -> Question:
    """The question evidence is checked against: of ``question_id``'s fit group (of every question in
    ``path`` for None), the one with the latest horizon, whose grid covers the others'."""
    questions = load_questions(path)
    return latest_question(fit_group(questions, load_question(path, question_id)) if question_id else questions)


def reference_dir(priors: Path) -> Path:
    """The reference data beside the questions: ``<priors folder>/reference/``."""
    return question_paths(priors)[0].parent / "reference"


def load_kinds(path: Path | None = None) -> dict[str, Kind]:
    """The evidence-kind catalogue, every entry validated."""
    located = load_yaml(path or default_kinds_path())
    if not isinstance(located.data, dict):
        raise InputError(located.path, 1, "", "the kind catalogue must be a mapping")
    kinds, errors = {}, []
    for kind_id, entry in located.data.items():
        kind, problems = _validate(Kind, located, entry, (kind_id,))
        errors += problems
        if kind is not None:
            kinds[kind_id] = kind
    if errors:
        raise InputError.of(errors)
    return kinds


def evidence_files(root: Path) -> list[Path]:
    """All YAML files under ``root`` (any depth), in a stable order."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(root, None, "", "no such file or folder")
    return sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def load_evidence(root: Path, question: Question, kinds: dict[str, Kind]) -> list[LocatedItem]:
    """Every evidence item under ``root``, validated against the question; raises one InputError listing
    all problems.

    Besides each item's schema: a reading's ``date`` must lie in the question's span (``start`` ..
    ``horizon``, see :func:`span_problems`) and the reports of one cluster must agree
    (:func:`cluster_problems`).
    """
    context = {"outcomes": question.outcome_ids, "kinds": kinds, "drivers": DRIVER_IDS}
    entries = _load_entries(root, EvidenceItem, context, "item", lambda item: span_problems(item, question))
    items = [LocatedItem(item, path, line) for item, path, line in entries]
    if problems := cluster_problems(items):
        raise InputError.of(problems)
    return sorted(items, key=lambda located_item: (located_item.item.date, located_item.item.id))


def span_problems(item: EvidenceItem, question: Question) -> list[tuple[str, str]]:
    """(field, message) for an item dated outside the question's span.

    A reading is placed on the question's weekly driver grid, which begins at ``start``: one dated
    earlier used to be moved silently onto the first week, counting as if it had happened then. A
    reading dated after the horizon can never be used (a run's as-of date is before the horizon and an
    item is used once reported, never before its date). A ``state_change`` is not placed on the grid:
    it is observed history, and a transition before ``start`` legitimately sets the state the forecast
    starts from; after the horizon it is refused like a reading.
    """
    if item.date > question.horizon:
        return [
            (
                "date",
                f"{item.date} is after the question's horizon {question.horizon}: no run of this question can "
                "use it (check the year)",
            )
        ]
    if not item.is_transition and item.date < question.start:
        return [
            (
                "date",
                f"{item.date} is before the question's start {question.start}: the driver grid begins there; "
                "move `start` earlier in the question file or leave the item out",
            )
        ]
    return []


def cluster_problems(items: list[LocatedItem]) -> list[Problem]:
    """Reports of one event must agree on what the event is.

    - every report of a cluster has the event's ``date`` (the reading is placed there; a later
      restatement is a new event);
    - an item outside a cluster is its own event, named by its id, so its id must not be a cluster's
      name (it would silently merge into that cluster's reading).

    Reports of one cluster may read different drivers (the event gives one reading per driver) and
    different signals for one driver (the most informative report's stands): see docs/evidence.md.
    """
    problems = []
    first: dict[str, LocatedItem] = {}
    for located in sorted(items, key=lambda i: (str(i.path), i.line or 0)):
        item = located.item
        if item.cluster is None or item.is_transition:
            continue
        earlier = first.setdefault(item.cluster, located)
        if earlier.item.date != item.date:
            problems.append(
                Problem(
                    str(located.path),
                    located.line,
                    "date",
                    f"cluster {item.cluster!r}: {item.date} differs from {earlier.item.date} of "
                    f"{earlier.item.id!r} ({earlier.path}:{earlier.line}): the reports of one event share its date; "
                    "a later restatement is a new event (another cluster, or none)",
                )
            )
    for located in items:
        item = located.item
        cluster = first.get(item.id)
        if cluster is not None and item.cluster is None and not item.is_transition:
            problems.append(
                Problem(
                    str(located.path),
                    located.line,
                    "id",
                    f"{item.id!r} is also the name of a cluster ({cluster.path}:{cluster.line}) this item is not in: "
                    f"it would be merged into that event; add `cluster: {item.id}` or rename one of them",
                )
            )
    return problems


Entry = TypeVar("Entry", EvidenceItem, Benchmark)
FILE_WORDS = {"item": "an evidence file", "benchmark": "a benchmark file"}


def _load_entries(
    root: Path,
    model: type[Entry],
    context: dict,
    noun: str,
    check: Callable[[Entry], list[tuple[str, str]]] | None = None,
    keep: Callable[[dict], bool] | None = None,
) -> list[tuple[Entry, Path, int | None]]:
    """Every entry of every YAML file under ``root`` (one mapping or a list per file), validated against
    ``model`` (and ``check``, giving (field, message) pairs) with unique ids, with where each was
    written; one InputError lists every problem. ``keep``: which raw mappings to validate at all."""
    out: list[tuple[Entry, Path, int | None]] = []
    errors: list[Problem] = []
    first_seen: dict[str, tuple[Path, int | None]] = {}
    for path in evidence_files(root):
        try:
            located = load_yaml(path)
        except InputError as err:
            errors += err.problems
            continue
        entries = _entries(located)
        if entries is None:
            errors.append(Problem(str(path), 1, "", f"{FILE_WORDS[noun]} holds one {noun} (a mapping) or a list"))
            continue
        for position, entry in entries:
            line, id_line = located.line_of(position), located.line_of(position + ("id",))
            if not isinstance(entry, dict):
                errors.append(Problem(str(path), line, noun, f"each {noun} must be a mapping"))
                continue
            if keep is not None and not keep(entry):
                continue
            value, problems = _validate(model, located, entry, position, context)
            errors += problems
            if value is None:
                continue
            if check is not None and (found := check(value)):
                errors += [Problem(str(path), located.line_of(position + (f,)), f, m) for f, m in found]
                continue
            if (earlier := first_seen.get(value.id)) is not None:
                message = f"duplicate id {value.id!r} (also in {earlier[0]}:{earlier[1]})"
                errors.append(Problem(str(path), id_line, "id", message))
                continue
            first_seen[value.id] = (path, line)
            out.append((value, path, line))
    if errors:
        raise InputError.of(errors)
    return out


def _entries(located: LocatedData) -> list[tuple[Loc, Any]] | None:
    data = located.data
    if data is None:
        return []
    if isinstance(data, dict):
        return [((), data)]
    if isinstance(data, list):
        return [((index,), entry) for index, entry in enumerate(data)]
    return None


def split_by_date(items: list[LocatedItem], as_of: date) -> tuple[list[LocatedItem], list[LocatedItem]]:
    """(items reported on or before ``as_of``, items reported after it): no look-ahead."""
    kept = [i for i in items if i.item.reported <= as_of]
    later = [i for i in items if i.item.reported > as_of]
    return kept, later


def load_benchmarks(root: Path, question: Question) -> list[Benchmark]:
    """The outside forecasts under ``root`` that name ``question`` (none if the folder does not exist),
    sorted by date seen.

    A benchmark is compared with our curve on its ``by`` date, so that date must lie within the
    question's span; every problem is reported at once, as for evidence. Entries naming another
    question are that question's (checked when it loads); one naming none is reported here.
    """
    if not root.exists():
        return []
    context = {"outcomes": question.outcome_ids, "span": (question.start, question.horizon)}
    found = _load_entries(root, Benchmark, context, "benchmark", keep=lambda raw: _names(raw, question.id))
    return sorted((b for b, _, _ in found), key=lambda b: (b.seen, b.id))


def load_portfolio_benchmarks(root: Path, questions: list[Question]) -> list[Benchmark]:
    """Every outside forecast under ``root``: first each names one of ``questions`` (ids unique across
    them), then each is checked against the question it names."""
    if not root.exists():
        return []
    _load_entries(root, Benchmark, {"questions": [q.id for q in questions], "outcomes": list(STATES)}, "benchmark")
    found = [b for question in questions for b in load_benchmarks(root, question)]
    return sorted(found, key=lambda b: (b.seen, b.id))


def _names(raw: dict, question_id: str) -> bool:
    """Whether a raw entry is checked with ``question_id``: it names it, or names no question properly."""
    named = raw.get("question_id")
    return named == question_id or not isinstance(named, str)
