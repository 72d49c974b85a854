"""Several questions side by side: one priors folder, one fit per model, per-question outputs, migration."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.inputs.load import load_question, load_questions
from forecast.pipeline import Week, run_questions
from forecast.report.archive import ARCHIVE_NAME
from forecast.results.summary import SUMMARY_NAME, Summary, read_document
from forecast.store.history import HistoryStore
from forecast.store.runs import migrate, run_dirs
from tests.fake_runs import THREE_RUNS, fake_run, write_benchmarks
from tests.helpers import REPO, run_config

AS_OF = date(2025, 11, 26)
IDS = ("ukraine-2026", "ukraine-2027")


def portfolio_priors(tmp_path: Path) -> Path:
    """The shipped priors folder: both questions and the reference data."""
    priors = tmp_path / "priors"
    shutil.copytree(REPO / "priors", priors)
    return priors


def benchmarks(tmp_path: Path) -> Path:
    """One outside forecast for each question, each compared on a date only the 2027 question could reach."""
    return write_benchmarks(
        tmp_path / "benchmarks",
        [
            {"id": "for-2026", "question_id": IDS[0], "seen": "2025-11-20", "by": "2026-06-30", "probability": 0.2},
            {"id": "for-2027", "question_id": IDS[1], "seen": "2025-11-20", "by": "2027-06-30", "probability": 0.4},
        ],
    )


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Week]]:
    """Both questions run as of the example date into one out folder, briefings included."""
    tmp = tmp_path_factory.mktemp("portfolio")
    config = run_config(
        tmp / "out", AS_OF, priors=portfolio_priors(tmp), benchmarks=benchmarks(tmp), briefing=True, question=None
    )
    weeks = {week.question_id: week for week in run_questions(config)}
    return tmp / "out", weeks


def test_two_questions_give_two_run_folders_two_rows_and_one_archive(portfolio) -> None:
    out, weeks = portfolio
    assert sorted(weeks) == list(IDS)
    assert [p.relative_to(out).as_posix() for p in run_dirs(out)] == [f"{q}/{AS_OF}" for q in IDS]
    rows = HistoryStore.beside(out).records()
    assert sorted((r.question_id, r.as_of) for r in rows) == [(q, AS_OF.isoformat()) for q in IDS]
    html = (out / ARCHIVE_NAME).read_text()
    for qid in IDS:
        assert f'href="{qid}/{AS_OF}/briefing.html"' in html
    assert "31 December 2026" in html and "31 December 2027" in html


def test_the_2027_curve_on_the_2026_horizon_is_the_2026_forecast(portfolio) -> None:
    _, weeks = portfolio
    short, long = (weeks[q].summary for q in IDS)
    assert short is not None and long is not None
    for outcome, estimate in short.outcomes.items():
        [point] = [p for p in long.curves[outcome] if p.date == short.horizon]
        assert point.mean == pytest.approx(estimate.mean, abs=1e-12)
        assert (point.low, point.high) == pytest.approx((estimate.low, estimate.high), abs=1e-12)
    # one story told to two dates: a year more of the same hazards moves chance out of war
    assert long.outcomes["war"].mean < short.outcomes["war"].mean
    assert long.run_id == short.run_id  # the same inputs (both files are hashed by both) and seed
    assert long.shared_horizons == {IDS[0]: short.horizon} and short.shared_horizons == {}


def test_the_2027_briefing_says_whose_forecast_its_2026_point_is(portfolio) -> None:
    out, weeks = portfolio
    short = weeks[IDS[0]].summary
    assert short is not None
    war = round(short.outcomes["war"].mean * 100)
    long_html = (out / IDS[1] / AS_OF.isoformat() / "briefing.html").read_text()
    assert f"The point on 31 December 2026 (continued war {war}%) is the forecast of question {IDS[0]}" in long_html
    assert "is the forecast of question" not in (out / IDS[0] / AS_OF.isoformat() / "briefing.html").read_text()


def test_a_question_run_alone_gives_the_numbers_it_has_in_the_portfolio(portfolio, tmp_path: Path) -> None:
    _, weeks = portfolio
    config = run_config(tmp_path / "out", AS_OF, priors=portfolio_priors(tmp_path), question=IDS[0])
    [alone] = list(run_questions(config))
    assert alone.summary is not None and weeks[IDS[0]].summary is not None
    assert alone.summary.outcomes == weeks[IDS[0]].summary.outcomes
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    assert written == sorted(["history.sqlite", ARCHIVE_NAME, IDS[0]])


def test_a_benchmark_naming_one_question_never_appears_on_the_others_briefing(portfolio) -> None:
    out, weeks = portfolio
    for qid, other in (IDS, IDS[::-1]):
        summary = weeks[qid].summary
        assert summary is not None
        assert [b.id for b in summary.benchmarks] == [f"for-{qid[-4:]}"]
        html = (out / qid / AS_OF.isoformat() / "briefing.html").read_text()
        assert f"for-{other[-4:]}" not in html


def test_a_benchmark_naming_no_question_of_ours_is_refused(tmp_path: Path) -> None:
    folder = write_benchmarks(
        tmp_path / "benchmarks",
        [{"id": "typo", "question_id": "ukraine-2062", "seen": "2025-11-20", "by": "2026-06-30", "probability": 0.2}],
    )
    result = CliRunner().invoke(app, ["benchmarks", "validate", str(folder), "--priors", str(REPO / "priors")])
    assert result.exit_code == 1
    assert "marks.yaml:" in result.output and "question_id: " in result.output and "ukraine-2062" in result.output


def test_several_questions_ask_for_one_by_id_where_one_is_needed(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="holds 2 questions .ukraine-2026, ukraine-2027.: name one with --question"):
        load_question(REPO / "priors")
    assert load_question(REPO / "priors", "ukraine-2027").horizon == date(2027, 12, 31)
    with pytest.raises(InputError, match="no question 'ukraine-2062' here"):
        load_question(REPO / "priors", "ukraine-2062")
    priors = portfolio_priors(tmp_path)
    copy = priors / "copy.yaml"
    copy.write_text((priors / "ukraine_2026.yaml").read_text())
    with pytest.raises(InputError, match="question id 'ukraine-2026' is also the id in"):
        load_questions(priors)
    document = yaml.safe_load((priors / "ukraine_2026.yaml").read_text()) | {"id": "resolutions"}
    copy.write_text(yaml.safe_dump(document))
    with pytest.raises(InputError, match="names a folder of the run outputs"):
        load_questions(priors)


def test_a_question_past_its_horizon_is_skipped_in_the_portfolio_and_refused_alone(tmp_path: Path) -> None:
    priors = portfolio_priors(tmp_path)
    late = date(2027, 1, 6)
    config = run_config(tmp_path / "out", late, priors=priors, question=None)
    with pytest.raises(InputError, match="outside the question's span"):
        list(run_questions(run_config(tmp_path / "out", late, priors=priors, question=IDS[0])))
    weeks = run_questions(config)
    first = next(weeks)
    assert first.question_id == IDS[0] and first.skipped is not None and "retire" in first.skipped
    weeks.close()  # the 2027 question would run; that is the other tests' business


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_one_question_tree_is_migrated_in_place_keeping_every_file_and_row(tmp_path: Path) -> None:
    # a real run and three scored-style runs, then laid out as version 2 wrote them: <out>/<as-of>/
    out = tmp_path / "reports"
    for day, probabilities in THREE_RUNS.items():
        fake_run(out, day, probabilities)
    real = run_questions(run_config(out, date(2025, 12, 17), priors=REPO / "priors" / "ukraine_2026.yaml"))
    assert next(real).summary is not None
    for folder in run_dirs(out):
        folder.rename(out / folder.name)
    (out / IDS[0]).rmdir()
    (out / "2025-12-24").mkdir()  # not a run (no summary): left alone
    (out / "2025-12-24" / "notes.txt").write_text("kept")
    before, rows = digests(out), HistoryStore.beside(out).records()
    moved = migrate(out)
    assert len(moved) == 4 and all(" -> " in line for line in moved)
    after = digests(out)
    renamed = {k.removeprefix(f"{IDS[0]}/"): v for k, v in after.items()}
    assert renamed == before  # every file, byte for byte, one folder down
    assert sorted(k.split("/")[1] for k in after if k.startswith(IDS[0]) and k.endswith(SUMMARY_NAME)) == [
        *THREE_RUNS,
        "2025-12-17",
    ]
    assert HistoryStore.beside(out).records() == rows
    assert migrate(out) == []  # once
    # the next run finds the earlier runs where the migration put them
    [week] = list(run_questions(run_config(out, date(2025, 12, 20), priors=REPO / "priors" / "ukraine_2026.yaml")))
    assert week.run_dir == out / IDS[0] / "2025-12-20"
    summary = read_document(out / IDS[0] / "2025-12-17" / SUMMARY_NAME, Summary)
    assert summary.as_of == date(2025, 12, 17)
    assert (out / "2025-12-24" / "notes.txt").read_text() == "kept"


def test_the_cli_runs_every_question_and_says_what_it_migrated(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run(out, "2025-11-19", THREE_RUNS["2025-11-26"])
    [folder] = run_dirs(out)
    folder.rename(out / folder.name)
    args = ["run", "--as-of", "2025-11-26", "--priors", str(portfolio_priors(tmp_path)), "--evidence"]
    args += [str(REPO / "evidence"), "--out", str(out), "--draws", "100", "--tune", "100"]
    args += ["--no-briefing", "--no-sensitivity", "--benchmarks", str(tmp_path / "none")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Moved the one-question layout" in result.output
    assert "Forecast for 2026-12-31" in result.output and "Forecast for 2027-12-31" in result.output
    assert {(r.question_id, r.as_of) for r in HistoryStore.beside(out).records()} == {
        (IDS[0], "2025-11-19"),
        (IDS[0], "2025-11-26"),
        (IDS[1], "2025-11-26"),
    }
    history = CliRunner().invoke(app, ["history", "--out", str(out), "--question", IDS[1]])
    assert history.exit_code == 0, history.output
    assert IDS[1] in history.output and IDS[0] not in history.output
