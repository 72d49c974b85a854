"""Run folders: the one place that knows what a run folder is, and how one is written.

A run folder is ``<out>/<question-id>/<YYYY-MM-DD>/`` holding ``summary.json``; the history
(``<out>/history.sqlite``), the resolutions and the archive page are shared by every question in
``<out>``. Hidden folders beside a run are its staging area and never runs. Sampling runs unlocked;
writing holds ``<out>/.forecast.lock``, so runs in parallel neither interleave their outputs nor race
on the history: outputs go into a hidden staging folder ``<out>/<question-id>/.<as_of>.<random>``, the
folder is moved into place with one rename, and only then is the history row written. A failed or
killed run leaves earlier outputs and the history as they were; what a run killed inside the locked
part leaves behind (a staging folder, a half-swapped ``--force`` replacement, a folder without its
row) is put right by the next run, under the lock (:func:`recover`).

Version 2 wrote ``<out>/<YYYY-MM-DD>/`` for its one question; :func:`migrate` moves such a tree
into the per-question layout in place (the history rows, already keyed by question, stay).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from filelock import FileLock

from forecast.results.resolution import RESOLUTIONS_DIR
from forecast.results.summary import MANIFEST_NAME, SUMMARY_NAME, Manifest, Summary, write_document
from forecast.store.history import HistoryStore, Record, reconcile

LOCK_NAME = ".forecast.lock"
POSTERIOR_NAME = "posterior.nc"
_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAGING = re.compile(r"^\.(\d{4}-\d{2}-\d{2})\.(\w+)$")


class RunExists(Exception):
    """This as-of date has a run folder or a history row, and ``force`` was not given."""


def question_dir(out: Path, question_id: str) -> Path:
    """Where the runs of one question live."""
    return Path(out) / question_id


def run_dir(out: Path, question_id: str, as_of: date) -> Path:
    """Where the run of ``question_id`` as of ``as_of`` lives."""
    return question_dir(out, question_id) / as_of.isoformat()


def out_of(folder: Path) -> Path:
    """The ``<out>`` a run (or staging) folder belongs to: where its history and archive are."""
    return Path(folder).resolve().parent.parent


def is_run_dir(path: Path) -> bool:
    """A visible ``YYYY-MM-DD`` folder holding ``summary.json``."""
    return bool(_RUN_NAME.match(path.name)) and (path / SUMMARY_NAME).is_file()


def run_dirs(out: Path, question_id: str | None = None) -> list[Path]:
    """The run folders of one question in ``out`` (every question's for None), oldest first per question."""
    out = Path(out)
    if not out.is_dir():
        return []
    folders = [question_dir(out, question_id)] if question_id else sorted(p for p in out.iterdir() if p.is_dir())
    return [run for folder in folders if folder.is_dir() for run in sorted(folder.iterdir()) if is_run_dir(run)]


def existing_run(out: Path, as_of: date, question_id: str) -> str | None:
    """Why a run of ``as_of`` would replace an earlier one (its folder or history row), or None."""
    target = run_dir(out, question_id, as_of)
    if target.exists():
        return f"{target} exists"
    store = HistoryStore.beside(out)
    if store.get(question_id, as_of.isoformat()) is not None:
        return f"{as_of} is recorded in {store.path}"
    return None


def write_run(
    out: Path,
    summary: Summary,
    manifest: Manifest,
    write_posterior: Callable[[Path], None],
    render: Callable[[Path, list[Record]], None] | None = None,
    force: bool = False,
) -> Path:
    """Under the lock: stage every output, render the briefing, move into place, record the row.

    ``write_posterior(path)`` writes ``posterior.nc``; ``render(folder, earlier runs)`` the briefing.
    """
    store = HistoryStore.beside(out)
    record = Record.from_run(summary, manifest)
    target = run_dir(out, record.question_id, summary.as_of)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(Path(out) / LOCK_NAME):
        recover(out, store)
        reason = None if force else existing_run(out, summary.as_of, record.question_id)
        if reason:  # another process got there while this one sampled
            raise RunExists(f"{reason}; pass --force to replace it")
        staging = Path(tempfile.mkdtemp(prefix=f".{summary.as_of.isoformat()}.", dir=target.parent))
        staging.chmod(0o755)
        try:
            write_document(staging / SUMMARY_NAME, summary)
            write_document(staging / MANIFEST_NAME, manifest)
            write_posterior(staging / POSTERIOR_NAME)
            if render is not None:
                render(staging, store.records(record.question_id))
            _replace_dir(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        store.record(record, replace=force)
    return target


def recover(out: Path, store: HistoryStore) -> None:
    """Put right what a run killed while holding the lock left behind; call holding the lock.

    In every question's folder, staging folders ``.<date>.<random>`` are deleted; an earlier run
    swapped out by ``--force`` (``.<date>.old``) goes back when its replacement never arrived; run
    folders without their history row are recorded (:func:`forecast.store.history.reconcile`).
    """
    for folder in [p for p in Path(out).iterdir() if p.is_dir() and not p.name.startswith(".")]:
        _recover_folder(folder)
    reconcile(store, run_dirs(out))


def _recover_folder(folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        match = _STAGING.match(path.name)
        if not (match and path.is_dir()):
            continue
        target = folder / match.group(1)
        if match.group(2) == "old" and not target.exists():
            path.rename(target)
        else:
            shutil.rmtree(path, ignore_errors=True)


def migrate(out: Path) -> list[str]:
    """Move a one-question tree (``<out>/<date>/``) into ``<out>/<question-id>/<date>/``, under the lock.

    Returns one line per folder moved (nothing to do: an empty list). What a killed version-2 run left
    (staging, a half-swapped ``--force``) is put right first; a folder whose summary cannot be read
    stays where it is, named in the returned lines, since nothing may be lost.
    """
    out = Path(out)
    if not out.is_dir() or not any(_RUN_NAME.match(p.name) or _STAGING.match(p.name) for p in out.iterdir()):
        return []
    moved = []
    with FileLock(out / LOCK_NAME):
        _recover_folder(out)
        for folder in sorted(p for p in out.iterdir() if is_run_dir(p)):
            question_id = _question_of(folder)
            if question_id is None:
                moved.append(f"{folder}: summary.json names no question; left in place")
                continue
            target = run_dir(out, question_id, date.fromisoformat(folder.name))
            if target.exists():
                moved.append(f"{folder}: {target} exists too; left in place")
                continue
            target.parent.mkdir(exist_ok=True)
            folder.rename(target)
            moved.append(f"{folder} -> {target}")
    return moved


def _question_of(folder: Path) -> str | None:
    """The question id a run folder's summary names (read loosely: an old summary must still move)."""
    try:
        document = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
        question_id = document["question"]["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return question_id if isinstance(question_id, str) and question_id != RESOLUTIONS_DIR else None


def _replace_dir(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing target is swapped out, then removed."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
