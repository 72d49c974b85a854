"""The history store: round trip, recovery, the briefing reading it, concurrent and killed runs."""

from __future__ import annotations

import hashlib
import math
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.horizon import compile_forecaster
from forecast.model.fit import Forecaster
from forecast.pipeline import run_forecast
from forecast.report.earlier import find_history
from forecast.results.summary import Manifest, Summary, read_document, write_document
from forecast.run_inputs import RunConfig, load_inputs
from forecast.store.history import HISTORY_NAME, HistoryStore, Record, reconcile
from forecast.store.runs import RunExists, recover, run_dirs
from tests.helpers import REPO, TINY, manifest_document, run_config, shipped_question, summary_document

FIRST, SECOND = date(2025, 11, 22), date(2025, 11, 26)
QID = "ukraine-2026"  # the example's runs live in <out>/<question-id>/<as-of>/
FORECAST = str(Path(sys.executable).with_name("forecast"))


def config(out: Path, as_of: date, **kw) -> RunConfig:
    return run_config(out, as_of, **{"briefing": True, **kw})


@pytest.fixture(scope="module")
def example_forecaster() -> Forecaster:
    return compile_forecaster(load_inputs(config(Path("unused"), SECOND)), TINY)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, example_forecaster) -> Path:
    """An out folder with two example runs, briefings included."""
    out = tmp_path_factory.mktemp("two-runs")
    for as_of in (FIRST, SECOND):
        run_forecast(config(out, as_of), forecaster=example_forecaster)
    return out


def fake_run(as_of: str = "2025-11-26", qid: str = "q", rhat: float = 1.002) -> tuple[Summary, Manifest]:
    question = shipped_question().model_dump(mode="json") | {"id": qid}
    summary = Summary.model_validate(summary_document(as_of, question=question, rhat_max=rhat, warnings=["w"]))
    return summary, Manifest.model_validate(manifest_document(as_of))


def write_fake_run(out: Path, as_of: str) -> Path:
    folder = out / "q" / as_of
    folder.mkdir(parents=True)
    for name, doc in zip(("summary.json", "manifest.json"), fake_run(as_of), strict=True):
        write_document(folder / name, doc)
    return folder


def digests(out: Path) -> dict[str, str]:
    """SHA-256 of every file under ``out``, leaving out hidden entries: a killed run's staging
    folder (removed by the next run) and the empty lock file."""
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def test_round_trip(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / HISTORY_NAME)
    assert store.records() == [] and not store.path.exists()  # reading never creates the store
    first = Record.from_run(*fake_run("2025-11-19"))
    second = Record.from_run(*fake_run("2025-11-26", rhat=math.nan))
    store.record(second)
    store.record(first)
    back = store.records()
    assert back[0] == first and back[1].as_of == "2025-11-26"
    assert math.isnan(back[1].diagnostics.rhat_max)  # exact, NaN included
    assert back[1].outcomes == second.outcomes and list(back[1].outcomes) == list(second.outcomes)
    assert store.get("q", "2025-11-19") == first and store.get("q", "2025-12-03") is None
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = conn.execute("SELECT rhat_max, divergences FROM runs WHERE as_of = '2025-11-19'").fetchone()
        assert row == (1.002, 0)


def test_one_row_per_question_and_date(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / HISTORY_NAME)
    store.record(Record.from_run(*fake_run()))
    with pytest.raises(sqlite3.IntegrityError):
        store.record(Record.from_run(*fake_run()))
    newer = Record.from_run(*fake_run()).model_copy(update={"run_id": "2025-11-26-00000000"})
    store.record(newer, replace=True)
    store.record(Record.from_run(*fake_run(qid="other")))
    assert [(r.question_id, r.run_id) for r in store.records()] == [
        ("other", "2025-11-26-3f9a1c2b"),
        ("q", "2025-11-26-00000000"),
    ]


def test_reconcile_records_folders_the_store_lacks(tmp_path: Path) -> None:
    for as_of in ("2025-11-19", "2025-11-26"):
        write_fake_run(tmp_path, as_of)
    write_fake_run(tmp_path, "2025-12-03").rename(tmp_path / "q" / ".2025-12-03.x1y2z3ab")  # staging is not a run
    store = HistoryStore.beside(tmp_path)
    assert reconcile(store, run_dirs(tmp_path)) == ["2025-11-19", "2025-11-26"]
    assert reconcile(store, run_dirs(tmp_path)) == []
    assert [r.as_of for r in store.records()] == ["2025-11-19", "2025-11-26"]


def test_recover_removes_staging_and_restores_a_half_swapped_run(tmp_path: Path) -> None:
    runs = tmp_path / "q"
    (runs / ".2025-11-19.abcd1234").mkdir(parents=True)
    (runs / ".2025-11-26.old").mkdir()  # --force killed between its two renames
    (runs / ".2025-11-26.old" / "summary.json").write_text("{}")
    (runs / "2025-12-03").mkdir()
    (runs / ".2025-12-03.old").mkdir()  # killed after the swap: the new run stays
    recover(tmp_path, HistoryStore.beside(tmp_path))
    assert sorted(p.name for p in runs.iterdir()) == ["2025-11-26", "2025-12-03"]
    assert (runs / "2025-11-26" / "summary.json").read_text() == "{}"


def test_runs_are_recorded_and_the_briefing_reads_the_store(two_runs: Path) -> None:
    records = HistoryStore.beside(two_runs).records()
    assert [r.as_of for r in records] == [FIRST.isoformat(), SECOND.isoformat()]
    for record in records:
        assert (
            Record.read(two_runs / QID / record.as_of).model_copy(update={"recorded_at": record.recorded_at}) == record
        )
    latest = read_document(two_runs / QID / SECOND.isoformat() / "summary.json", Summary)
    assert find_history(two_runs / QID / SECOND.isoformat(), latest) == [records[0]]
    html = (two_runs / QID / SECOND.isoformat() / "briefing.html").read_text()
    assert "Change since the previous run" in html and "2 runs of this question" in html


def test_report_re_renders_identically_from_the_store(two_runs: Path) -> None:
    run_dir = two_runs / QID / SECOND.isoformat()
    before = digests(run_dir)
    result = CliRunner().invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert digests(run_dir) == before


def test_history_command_prints_and_exports(two_runs: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["history", "--out", str(two_runs)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert FIRST.isoformat() in result.output and "rhat_max" in result.output and "divergences" in result.output
    csv = tmp_path / "history.csv"
    assert CliRunner().invoke(app, ["history", "--out", str(two_runs), "--csv", str(csv)]).exit_code == 0
    table = pd.read_csv(csv)
    records = HistoryStore.beside(two_runs).records()
    assert list(table["as_of"]) == [r.as_of for r in records]
    assert list(table["war_mean"]) == [r.outcomes["war"].mean for r in records]
    stdout = CliRunner().invoke(app, ["history", "--out", str(two_runs), "--csv", "-"])
    assert stdout.output.splitlines()[0].startswith("question_id,as_of,run_id,deal_mean")
    assert "No runs recorded" in CliRunner().invoke(app, ["history", "--out", str(tmp_path)]).output


def test_a_recorded_date_refuses_unless_forced(two_runs: Path, tmp_path: Path, example_forecaster) -> None:
    with pytest.raises(RunExists, match="exists"):
        run_forecast(config(two_runs, SECOND), forecaster=example_forecaster)
    # the row alone also counts: a deleted folder does not silently re-run its date
    out = tmp_path / "out"
    out.mkdir()
    HistoryStore.beside(out).record(Record.read(two_runs / QID / FIRST.isoformat()))
    with pytest.raises(RunExists, match="history.sqlite"):
        run_forecast(config(out, FIRST), forecaster=example_forecaster)
    run_forecast(config(out, FIRST, force=True, briefing=False), forecaster=example_forecaster)
    assert HistoryStore.beside(out).get("ukraine-2026", FIRST.isoformat()).seed == 20251122


def cli_run(out: Path, as_of: date, *extra: str, probe: str | None = None) -> subprocess.Popen:
    """``forecast run`` in a fresh process; ``probe`` prints 'probe' to stdout when that point is reached."""
    args = [
        "run",
        "--as-of",
        as_of.isoformat(),
        "--priors",
        str(REPO / "priors" / "ukraine_2026.yaml"),
        "--evidence",
        str(REPO / "evidence"),
        "--out",
        str(out),
        "--draws",
        "100",
        "--tune",
        "100",
        "--chains",
        "2",
        *extra,
    ]
    if probe is None:
        return subprocess.Popen([FORECAST, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.Popen(
        [sys.executable, "-c", PROBE.format(probe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


PROBE = """
import sys, time
import forecast.model.fit, forecast.store.runs
mod, name = {!r}.split(":")
module = forecast.model.fit if mod == "fit" else forecast.store.runs
owner = module.Forecaster if name == "fit" else module
real = getattr(owner, name)
def probed(*args, **kwargs):
    print("probe", flush=True)
    time.sleep(60)
    return real(*args, **kwargs)
setattr(owner, name, probed)
from forecast.cli import app
app(sys.argv[1:], prog_name="forecast")
"""


def kill_at_probe(proc: subprocess.Popen) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "probe", (line, proc.stderr.read() if proc.stderr else "")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture
def one_run(tmp_path: Path, example_forecaster) -> Path:
    out = tmp_path / "out"
    run_forecast(config(out, FIRST), forecaster=example_forecaster)
    return out


def test_a_run_killed_while_sampling_changes_nothing(one_run: Path) -> None:
    before = digests(one_run)
    kill_at_probe(cli_run(one_run, SECOND, probe="fit:fit"))
    assert digests(one_run) == before
    assert not [p for p in (one_run / QID).iterdir() if p.name.startswith(".2025")]


def test_a_run_killed_while_writing_changes_nothing_and_the_next_run_tidies(one_run: Path, example_forecaster) -> None:
    before = digests(one_run)
    kill_at_probe(cli_run(one_run, SECOND, probe="runs:_replace_dir"))
    staging = [p for p in (one_run / QID).iterdir() if p.name.startswith(f".{SECOND}.")]
    assert len(staging) == 1 and (staging[0] / "posterior.nc").is_file()
    assert digests(one_run) == before
    # the staged summary is not an earlier run for anyone
    first = read_document(one_run / QID / FIRST.isoformat() / "summary.json", Summary)
    later = first.model_copy(update={"as_of": date(2099, 1, 1)})
    assert [r.as_of for r in find_history(one_run / QID / FIRST.isoformat(), later)] == [FIRST.isoformat()]
    run_forecast(config(one_run, SECOND, briefing=False), forecaster=example_forecaster)
    assert not staging[0].exists()
    assert [r.as_of for r in HistoryStore.beside(one_run).records()] == [FIRST.isoformat(), SECOND.isoformat()]


def test_concurrent_runs_leave_a_consistent_store(tmp_path: Path) -> None:
    out = tmp_path / "out"
    procs = [cli_run(out, as_of) for as_of in (FIRST, SECOND)]
    for proc in procs:
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
    with sqlite3.connect(out / HISTORY_NAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    records = HistoryStore.beside(out).records()
    assert [r.as_of for r in records] == [FIRST.isoformat(), SECOND.isoformat()]
    for record in records:
        run_dir = out / QID / record.as_of
        names = {"summary.json", "manifest.json", "posterior.nc", "briefing.html", "briefing.pdf"}
        assert {p.name for p in run_dir.iterdir()} == names
        assert read_document(run_dir / "summary.json", Summary).outcomes == record.outcomes
    assert [p.name for p in (out / QID).iterdir() if p.name.startswith(".2025")] == []
