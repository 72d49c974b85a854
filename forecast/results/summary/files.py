"""Writing and reading the documents: atomic writes, and reads that name the file in every problem."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from forecast.errors import InputError, Problem

from .run_summary import SCHEMA_VERSION, Summary

Document = TypeVar("Document", bound=BaseModel)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``, so a
    reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_document(path: Path, document: BaseModel) -> None:
    """Write a document as indented UTF-8 JSON, atomically."""
    write_atomic(path, (document.model_dump_json(indent=2) + "\n").encode("utf-8"))


def read_document(path: Path, model: type[Document]) -> Document:
    """Read and validate a document; every problem is an :class:`InputError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "", "not found (is this a run folder?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, "", f"cannot be read: {exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, "", f"invalid JSON: {exc.msg}") from None
    _check_version(path, raw, model)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InputError.of([_problem(path, e) for e in exc.errors()]) from None


def _check_version(path: Path, raw: Any, model: type[BaseModel]) -> None:
    if model is Summary and isinstance(raw, dict) and raw.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            path,
            None,
            "schema_version",
            f"{raw.get('schema_version')!r} is not supported (this version reads {SCHEMA_VERSION})",
        )


def _problem(path: Path, error: Any) -> Problem:
    return Problem(str(path), None, ".".join(str(p) for p in error["loc"]), error["msg"])
