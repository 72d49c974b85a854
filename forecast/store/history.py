"""The history store: one row per (question, as-of date) saying what each run forecast, and when.

An SQLite file (``<out>/history.sqlite``, WAL mode) beside the run folders. It is an index of
them: every row is built from a run's ``summary.json`` and ``manifest.json``, so a store that is
lost or behind is rebuilt from the folders (:func:`reconcile`, run by every run). Writers hold
the run lock (see :mod:`forecast.store.runs`); readers need no lock.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from forecast.errors import InputError
from forecast.results.summary import (
    MANIFEST_NAME,
    SUMMARY_NAME,
    Diagnostics,
    Estimate,
    Manifest,
    Summary,
    read_document,
)

log = logging.getLogger(__name__)

HISTORY_NAME = "history.sqlite"

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
_COLUMNS = (
    "question_id",
    "as_of",
    "run_id",
    "horizon",
    "interval",
    "seed",
    "rhat_max",
    "ess_bulk_min",
    "divergences",
    "outcomes",
    "diagnostics",
    "inputs",
    "recorded_at",
)
_JSON = ("outcomes", "diagnostics", "inputs")
_HEADLINE = ("rhat_max", "ess_bulk_min", "divergences")

# Scores of resolved questions (``forecast score``): derived, rebuilt per question on every scoring.
_SCORES_SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    question_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,     -- 'run' or 'benchmark'
    key          TEXT NOT NULL,     -- the run's as-of date, or the benchmark id
    as_of        TEXT,              -- the run scored, or the run a benchmark is paired with
    resolved_on  TEXT NOT NULL,     -- the date of the observed state it is scored against
    observed     TEXT NOT NULL,     -- that state
    brier        REAL,
    log_score    REAL,
    rps          REAL,              -- runs only
    baseline     TEXT NOT NULL,     -- JSON: reference class's scores (runs), paired run's (benchmarks)
    skill        TEXT NOT NULL,     -- JSON: skill against that baseline
    detail       TEXT NOT NULL,     -- JSON: the probabilities scored
    scored_at    TEXT NOT NULL,
    PRIMARY KEY (question_id, kind, key)
)
"""
_SCORE_COLUMNS = (
    "question_id",
    "kind",
    "key",
    "as_of",
    "resolved_on",
    "observed",
    "brier",
    "log_score",
    "rps",
    "baseline",
    "skill",
    "detail",
    "scored_at",
)
_SCORE_JSON = ("baseline", "skill", "detail")


class Record(BaseModel):
    """One run as the store keeps it (and as the briefing reads earlier runs)."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")

    question_id: str
    as_of: str
    run_id: str
    horizon: str
    interval: float
    seed: int
    outcomes: dict[str, Estimate]
    diagnostics: Diagnostics
    inputs: dict[str, str]
    recorded_at: str

    @classmethod
    def from_run(cls, summary: Summary, manifest: Manifest, recorded_at: str | None = None) -> Record:
        return cls(
            question_id=summary.question.id,
            as_of=summary.as_of.isoformat(),
            run_id=summary.run_id,
            horizon=summary.horizon.isoformat(),
            interval=summary.interval,
            seed=manifest.seed,
            outcomes=summary.outcomes,
            diagnostics=summary.diagnostics,
            inputs=manifest.inputs,
            recorded_at=recorded_at or datetime.now(UTC).isoformat(timespec="seconds"),
        )

    @classmethod
    def read(cls, folder: Path) -> Record:
        """The record of a run folder, from its summary and manifest."""
        return cls.from_run(
            read_document(folder / SUMMARY_NAME, Summary), read_document(folder / MANIFEST_NAME, Manifest)
        )

    def row(self) -> list[Any]:
        """Column values in ``_COLUMNS`` order."""
        values = self.model_dump(mode="json")
        values.update({k: json.dumps(values[k]) for k in _JSON})
        values.update({k: getattr(self.diagnostics, k) for k in _HEADLINE})
        return [values[c] for c in _COLUMNS]

    def flat(self) -> dict[str, Any]:
        """One table/CSV row: outcome mean/low/high and headline diagnostics as plain columns."""
        row: dict[str, Any] = {"question_id": self.question_id, "as_of": self.as_of, "run_id": self.run_id}
        for outcome, value in self.outcomes.items():
            row.update({f"{outcome}_{key}": getattr(value, key) for key in ("mean", "low", "high")})
        row.update({k: getattr(self.diagnostics, k) for k in _HEADLINE})
        row.update(seed=self.seed, recorded_at=self.recorded_at)
        return row


class ScoreRow(BaseModel):
    """One scored forecast (a run, or an outside benchmark) as the ``scores`` table keeps it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question_id: str
    kind: Literal["run", "benchmark"]
    key: str
    as_of: str | None
    resolved_on: str
    observed: str
    brier: float | None
    log_score: float | None
    rps: float | None = None
    baseline: dict[str, float | None]
    skill: dict[str, float | None]
    detail: dict[str, Any]
    scored_at: str

    def row(self) -> list[Any]:
        values = self.model_dump(mode="json")
        values.update({k: json.dumps(values[k]) for k in _SCORE_JSON})
        return [values[c] for c in _SCORE_COLUMNS]


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
            try:
                self._check_ours(conn)  # before anything is written to it
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                conn.execute(_SCORES_SCHEMA)
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from None
            try:
                yield conn
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as exc:  # a database, but not ours: a table without our columns
                raise self._unreadable(exc) from None

    def _check_ours(self, conn: sqlite3.Connection) -> None:
        """A ``runs`` or ``scores`` table without our columns: another program's database, not written to."""
        for table, columns in (("runs", _COLUMNS), ("scores", _SCORE_COLUMNS)):
            found = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            if found and not set(columns) <= found:
                missing = ", ".join(sorted(set(columns) - found))
                raise sqlite3.DatabaseError(f"its {table} table lacks the column(s) {missing}")

    def _unreadable(self, exc: Exception) -> InputError:
        return InputError(
            self.path,
            None,
            "",
            f"not a readable history database ({exc}); move it aside and the next run rebuilds it from the run folders",
        )

    def record(self, record: Record, replace: bool = False) -> None:
        """Insert ``record``; an existing row for its (question, as_of) is an error unless ``replace``."""
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        with self._connect() as conn, conn:
            conn.execute(
                f"{verb} INTO runs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", record.row()
            )

    def records(self, question_id: str | None = None) -> list[Record]:
        """Rows in (question, as_of) order; none when the store does not exist (it is not created)."""
        if not self.path.exists():
            return []
        where, args = ("WHERE question_id = ?", (question_id,)) if question_id else ("", ())
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs {where} ORDER BY question_id, as_of", args)
            return [_record(self.path, row) for row in rows]

    def get(self, question_id: str, as_of: str) -> Record | None:
        """The row for (question, as_of), if recorded."""
        return next((r for r in self.records(question_id) if r.as_of == as_of), None)

    def replace_scores(self, question_id: str, rows: list[ScoreRow]) -> None:
        """Replace every score of ``question_id`` with ``rows``, in one transaction (call holding the lock)."""
        with self._connect() as conn, conn:
            conn.execute("DELETE FROM scores WHERE question_id = ?", (question_id,))
            conn.executemany(
                f"INSERT INTO scores ({', '.join(_SCORE_COLUMNS)}) VALUES ({', '.join('?' * len(_SCORE_COLUMNS))})",
                [r.row() for r in rows],
            )

    def scores(self, question_id: str | None = None) -> list[ScoreRow]:
        """Scores in (question, kind, key) order; none when the store does not exist (it is not created)."""
        if not self.path.exists():
            return []
        where, args = ("WHERE question_id = ?", (question_id,)) if question_id else ("", ())
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(_SCORE_COLUMNS)} FROM scores {where} ORDER BY question_id, kind DESC, key", args
            )
            return [_score(self.path, row) for row in rows]


def _record(path: Path, row: tuple[Any, ...]) -> Record:
    values = dict(zip(_COLUMNS, row, strict=True))
    for key in _HEADLINE:
        del values[key]  # the diagnostics JSON holds them exactly (NaN included)
    try:
        return Record.model_validate({k: json.loads(v) if k in _JSON else v for k, v in values.items()})
    except ValueError as exc:
        raise InputError(path, None, "runs", f"row {values.get('as_of')!r} is damaged: {exc}") from None


def _score(path: Path, row: tuple[Any, ...]) -> ScoreRow:
    values = dict(zip(_SCORE_COLUMNS, row, strict=True))
    try:
        return ScoreRow.model_validate({k: json.loads(v) if k in _SCORE_JSON else v for k, v in values.items()})
    except ValueError as exc:
        raise InputError(path, None, "scores", f"row {values.get('key')!r} is damaged: {exc}") from None


def reconcile(store: HistoryStore, folders: list[Path]) -> list[str]:
    """Record the run ``folders`` that the store lacks or holds another run id for.

    Covers a run killed between moving its folder into place and writing its row, runs made
    before the store existed, and a deleted store. Call holding the lock. Returns the folders
    recorded; unreadable ones are skipped with a warning, as an old broken run must not block.
    """
    known = {(r.question_id, r.as_of): r.run_id for r in store.records()}
    added = []
    for folder in folders:
        try:
            record = Record.read(folder)
        except InputError as exc:
            log.warning("not recording %s in the history: %s", folder, exc)
            continue
        if known.get((record.question_id, record.as_of)) != record.run_id:
            store.record(record, replace=True)
            added.append(folder.name)
    return added
