"""Run folders: the one place that knows what a run folder is, and how one is written.

A run folder is ``<out>/<YYYY-MM-DD>/`` holding ``summary.json``; hidden folders beside it are a
run's staging area and never runs. Sampling runs unlocked; writing holds ``<out>/.forecast.lock``,
so runs in parallel neither interleave their outputs nor race on the history: outputs go into a
hidden staging folder ``<out>/.<as_of>.<random>``, the folder is moved into place with one
rename, and only then is the history row written. A failed or killed run leaves earlier outputs
and the history as they were; what a run killed inside the locked part leaves behind (a staging
folder, a half-swapped ``--force`` replacement, a folder without its row) is put right by the
next run, under the lock (:func:`recover`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from filelock import FileLock

from forecast.results.summary import MANIFEST_NAME, SUMMARY_NAME, Manifest, Summary, write_document
from forecast.store.history import HistoryStore, Record, reconcile

LOCK_NAME = ".forecast.lock"
POSTERIOR_NAME = "posterior.nc"
_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAGING = re.compile(r"^\.(\d{4}-\d{2}-\d{2})\.(\w+)$")


class RunExists(Exception):
    """This as-of date has a run folder or a history row, and ``force`` was not given."""


def run_dir(out: Path, as_of: date) -> Path:
    """Where the run of ``as_of`` lives."""
    return out / as_of.isoformat()


def is_run_dir(path: Path) -> bool:
    """A visible ``YYYY-MM-DD`` folder holding ``summary.json``."""
    return bool(_RUN_NAME.match(path.name)) and (path / SUMMARY_NAME).is_file()


def run_dirs(out: Path) -> list[Path]:
    """Every run folder in ``out``, oldest first."""
    return sorted(p for p in Path(out).iterdir() if is_run_dir(p)) if Path(out).is_dir() else []


def existing_run(out: Path, as_of: date, question_id: str) -> str | None:
    """Why a run of ``as_of`` would replace an earlier one (its folder or history row), or None."""
    target = run_dir(out, as_of)
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
    out.mkdir(parents=True, exist_ok=True)
    store = HistoryStore.beside(out)
    record = Record.from_run(summary, manifest)
    target = run_dir(out, summary.as_of)
    with FileLock(out / LOCK_NAME):
        recover(out, store)
        reason = None if force else existing_run(out, summary.as_of, record.question_id)
        if reason:  # another process got there while this one sampled
            raise RunExists(f"{reason}; pass --force to replace it")
        staging = Path(tempfile.mkdtemp(prefix=f".{summary.as_of.isoformat()}.", dir=out))
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

    Staging folders ``.<date>.<random>`` are deleted; an earlier run swapped out by ``--force``
    (``.<date>.old``) goes back when its replacement never arrived; run folders without their
    history row are recorded (:func:`forecast.store.history.reconcile`).
    """
    for path in sorted(out.iterdir()):
        match = _STAGING.match(path.name)
        if not (match and path.is_dir()):
            continue
        target = out / match.group(1)
        if match.group(2) == "old" and not target.exists():
            path.rename(target)
        else:
            shutil.rmtree(path, ignore_errors=True)
    reconcile(store, run_dirs(out))


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
