"""The history store: one row per (question, as-of date) saying what each run forecast, and when.

An SQLite file (``<out>/history.sqlite``, WAL mode) beside the run folders. It is an index of
them: every row is built from a run's ``summary.json`` and ``manifest.json``, so a store that is
lost or behind is rebuilt from the folders (:func:`reconcile`, run by every run). Writers hold
``<out>/.forecast.lock`` (see :mod:`forecast.pipeline`); readers need no lock.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HISTORY_NAME = "history.sqlite"
LOCK_NAME = ".forecast.lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    question_id  TEXT NOT NULL,
    as_of        TEXT NOT NULL,     -- ISO date
    run_id       TEXT NOT NULL,
    horizon      TEXT NOT NULL,
    interval     REAL NOT NULL,     -- central credible interval of low/high
    seed         INTEGER NOT NULL,
    rhat_max     REAL,              -- copies of diagnostics' headline numbers, for plain SQL
    ess_bulk_min REAL,
    divergences  INTEGER,
    outcomes     TEXT NOT NULL,     -- JSON {outcome: {mean, low, high}}
    diagnostics  TEXT NOT NULL,     -- JSON, summary.json's "diagnostics" as written
    inputs       TEXT NOT NULL,     -- JSON {input label: SHA-256}
    recorded_at  TEXT NOT NULL,     -- UTC time the row was written
    PRIMARY KEY (question_id, as_of)
)
"""
_COLUMNS = ("question_id", "as_of", "run_id", "horizon", "interval", "seed", "rhat_max", "ess_bulk_min",
            "divergences", "outcomes", "diagnostics", "inputs", "recorded_at")
_JSON = {"outcomes", "diagnostics", "inputs"}


@dataclass(frozen=True)
class Record:
    """One run as the store keeps it."""

    question_id: str
    as_of: str
    run_id: str
    horizon: str
    interval: float
    seed: int
    outcomes: dict[str, dict[str, float]]
    diagnostics: dict[str, Any]
    inputs: dict[str, str]
    recorded_at: str

    @classmethod
    def from_run(cls, summary: dict[str, Any], manifest: dict[str, Any], recorded_at: str | None = None) -> Record:
        return cls(
            question_id=summary["question"]["id"], as_of=summary["as_of"], run_id=summary["run_id"],
            horizon=summary["horizon"], interval=float(summary["interval"]), seed=int(manifest["seed"]),
            outcomes=summary["outcomes"], diagnostics=summary["diagnostics"], inputs=manifest["inputs"],
            recorded_at=recorded_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )

    def as_summary(self) -> dict[str, Any]:
        """The part of a ``summary.json`` that :mod:`forecast.report` reads from earlier runs."""
        return {"schema_version": 1, "run_id": self.run_id, "as_of": self.as_of, "horizon": self.horizon,
                "question": {"id": self.question_id}, "interval": self.interval,
                "outcomes": self.outcomes, "diagnostics": self.diagnostics}

    def flat(self) -> dict[str, Any]:
        """One table/CSV row: outcome mean/low/high and headline diagnostics as plain columns."""
        row: dict[str, Any] = {"question_id": self.question_id, "as_of": self.as_of, "run_id": self.run_id}
        for outcome, value in self.outcomes.items():
            row.update({f"{outcome}_{key}": value[key] for key in ("mean", "low", "high")})
        diag = self.diagnostics
        row.update(rhat_max=diag.get("rhat_max"), ess_bulk_min=diag.get("ess_bulk_min"),
                   divergences=diag.get("divergences"), seed=self.seed, recorded_at=self.recorded_at)
        return row


class HistoryStore:
    """Read and write the ``runs`` table of one SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def beside(cls, out: Path) -> HistoryStore:
        return cls(Path(out) / HISTORY_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
            yield conn

    def record(self, record: Record, replace: bool = False) -> None:
        """Insert ``record``; an existing row for its (question, as_of) is an error unless ``replace``."""
        row = {k: json.dumps(v) if k in _JSON else v for k, v in asdict(record).items()}
        row.update({k: record.diagnostics.get(k) for k in ("rhat_max", "ess_bulk_min", "divergences")})
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        with self._connect() as conn, conn:
            conn.execute(f"{verb} INTO runs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                         [row[c] for c in _COLUMNS])

    def records(self, question_id: str | None = None) -> list[Record]:
        """Rows in (question, as_of) order; none when the store does not exist (it is not created)."""
        if not self.path.exists():
            return []
        where, args = ("WHERE question_id = ?", (question_id,)) if question_id else ("", ())
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs {where} ORDER BY question_id, as_of", args)
            return [_record(row) for row in rows]

    def summaries(self, question_id: str) -> list[dict[str, Any]]:
        """Every recorded run of the question as the summary-like dicts the briefing reads."""
        return [r.as_summary() for r in self.records(question_id)]

    def get(self, question_id: str, as_of: str) -> Record | None:
        """The row for (question, as_of), if recorded."""
        return next((r for r in self.records(question_id) if r.as_of == as_of), None)


def _record(row: tuple[Any, ...]) -> Record:
    values = dict(zip(_COLUMNS, row))
    for key in ("rhat_max", "ess_bulk_min", "divergences"):
        del values[key]  # the diagnostics JSON holds them exactly (NaN included)
    return Record(**{k: json.loads(v) if k in _JSON else v for k, v in values.items()})


def reconcile(out: Path, store: HistoryStore) -> list[str]:
    """Record the run folders in ``out`` that the store lacks or holds another run id for.

    Covers a run killed between moving its folder into place and writing its row, runs made
    before the store existed, and a deleted store. Call holding the lock. Returns the folders
    recorded; unreadable ones are skipped with a warning, as an old broken run must not block.
    """
    known = {(r.question_id, r.as_of): r.run_id for r in store.records()}
    added = []
    for path in sorted(Path(out).glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/summary.json")):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            if known.get((summary["question"]["id"], summary["as_of"])) == summary["run_id"]:
                continue
            manifest = json.loads((path.parent / "manifest.json").read_text(encoding="utf-8"))
            store.record(Record.from_run(summary, manifest), replace=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("not recording %s in the history: %s", path.parent, exc)
            continue
        added.append(path.parent.name)
    return added
