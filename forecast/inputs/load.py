"""Load and validate the question, the kind catalogue, the evidence tree and the benchmarks.

Every problem becomes a :class:`~forecast.errors.Problem` (``file:line: field: message``); loaders
collect all of them and raise one :class:`~forecast.errors.InputError`, so an analyst fixes a
whole file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from forecast.errors import InputError, Problem
from forecast.inputs.schema import DRIVER_IDS, Benchmark, EvidenceItem, Kind, Question
from forecast.inputs.yamlio import Loc, LocatedData, load_yaml

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


def load_question(path: Path) -> Question:
    """The question in ``path`` (a file, or a folder holding exactly one question file)."""
    path = question_path(path)
    located = load_yaml(path)
    if not isinstance(located.data, dict):
        raise InputError(path, 1, "", "a question file must be a mapping")
    question, errors = _validate(Question, located, located.data)
    if errors:
        raise InputError.of(errors)
    return question


def question_path(path: Path) -> Path:
    """The question file: ``path`` itself, or the one YAML file in folder ``path``."""
    if path.is_file():
        return path
    if not path.is_dir():
        raise InputError(path, None, "", "no such file or folder")
    files = sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())
    if len(files) != 1:
        names = ", ".join(p.name for p in files) or "none"
        raise InputError(path, None, "", f"expected one question file, found {names}")
    return files[0]


def reference_dir(priors: Path) -> Path:
    """The reference data beside the question: ``<question folder>/reference/``."""
    return question_path(priors).parent / "reference"


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
    """Every evidence item under ``root``, validated; raises one InputError listing all problems."""
    context = {"outcomes": question.outcome_ids, "kinds": kinds, "drivers": DRIVER_IDS}
    items = [LocatedItem(item, path, line) for item, path, line in _load_entries(root, EvidenceItem, context, "item")]
    return sorted(items, key=lambda located_item: (located_item.item.date, located_item.item.id))


Entry = TypeVar("Entry", EvidenceItem, Benchmark)
FILE_WORDS = {"item": "an evidence file", "benchmark": "a benchmark file"}


def _load_entries(root: Path, model: type[Entry], context: dict, noun: str) -> list[tuple[Entry, Path, int | None]]:
    """Every entry of every YAML file under ``root`` (one mapping or a list per file), validated against
    ``model`` with unique ids, with where each was written; one InputError lists every problem."""
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
            value, problems = _validate(model, located, entry, position, context)
            errors += problems
            if value is None:
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
    """Every outside forecast under ``root`` (none if the folder does not exist), sorted by date seen.

    A benchmark is compared with our curve on its ``by`` date, so that date must lie within the
    question's span; every problem is reported at once, as for evidence.
    """
    if not root.exists():
        return []
    context = {"outcomes": question.outcome_ids, "span": (question.start, question.horizon)}
    return sorted((b for b, _, _ in _load_entries(root, Benchmark, context, "benchmark")), key=lambda b: (b.seen, b.id))
