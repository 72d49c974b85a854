"""Reading run folders: a run's own files and the earlier runs of the same question."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from forecast.store.history import HistoryStore

log = logging.getLogger(__name__)

SUMMARY = "summary.json"
MANIFEST = "manifest.json"


def read_json(path: Path) -> dict[str, Any]:
    """Load a JSON object, naming the file in the error when it is missing or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: not found (is this a run folder?)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def earlier_runs(summary: dict[str, Any], history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep runs of the same question dated strictly before ``summary``, oldest first.

    One summary per as_of (the last one given wins), so a re-run of a date is not counted twice.
    """
    qid = summary["question"]["id"]
    as_of = summary["as_of"]
    by_date: dict[str, dict[str, Any]] = {}
    for run in history:
        if run.get("question", {}).get("id") == qid and str(run.get("as_of", "")) < as_of:
            by_date[str(run["as_of"])] = run
    return [by_date[d] for d in sorted(by_date)]


def find_history(run_dir: Path, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Earlier runs of this question: from the history store beside ``run_dir`` when there is one.

    Without a store (run folders copied elsewhere, or made before it existed), the summaries of
    sibling run folders (``run_dir.parent/*/summary.json``) are used; hidden folders (a killed
    run's staging) are not runs. Unreadable siblings are skipped with a warning: a broken old
    run must not stop a briefing.
    """
    parent = run_dir.resolve().parent
    store = HistoryStore.beside(parent)
    if store.path.is_file():
        return earlier_runs(summary, store.summaries(summary["question"]["id"]))
    found: list[dict[str, Any]] = []
    for sibling in sorted(parent.iterdir()):
        path = sibling / SUMMARY
        if sibling.name.startswith(".") or sibling.resolve() == run_dir.resolve() or not path.is_file():
            continue
        try:
            found.append(read_json(path))
        except (OSError, ValueError) as exc:
            log.warning("skipping earlier run %s: %s", sibling, exc)
    return earlier_runs(summary, found)
