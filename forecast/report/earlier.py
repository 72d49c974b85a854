"""Earlier runs of the same question, for "change since the last run" and the trend chart."""

from __future__ import annotations

import logging
from pathlib import Path

from forecast.errors import InputError
from forecast.results.summary import Summary
from forecast.store.history import HistoryStore, Record
from forecast.store.runs import is_run_dir, out_of

log = logging.getLogger(__name__)


def earlier_runs(summary: Summary, history: list[Record]) -> list[Record]:
    """Runs of the same question dated strictly before ``summary``, oldest first.

    One record per as_of (the last one given wins), so a re-run of a date is not counted twice.
    """
    as_of = summary.as_of.isoformat()
    by_date = {r.as_of: r for r in history if r.question_id == summary.question.id and r.as_of < as_of}
    return [by_date[d] for d in sorted(by_date)]


def find_history(run_dir: Path, summary: Summary) -> list[Record]:
    """Earlier runs of this question: from the history store beside ``run_dir`` when there is one.

    Without a store (run folders copied elsewhere, or made before it existed), the sibling run
    folders are read. Unreadable siblings are skipped with a warning: a broken old run must not
    stop a briefing.
    """
    store = HistoryStore.beside(out_of(run_dir))
    if store.path.is_file():
        return earlier_runs(summary, store.records(summary.question.id))
    found: list[Record] = []
    for sibling in sorted(p for p in run_dir.resolve().parent.iterdir() if is_run_dir(p)):
        if sibling.resolve() == run_dir.resolve():
            continue
        try:
            found.append(Record.read(sibling))
        except InputError as exc:
            log.warning("skipping earlier run %s: %s", sibling, exc)
    return earlier_runs(summary, found)
