"""The malformed-input corpus: every command, fed broken files, fails cleanly and writes nothing.

For each case: exit status 1, the message names the offending file, no traceback, and the output tree
(file list, sizes, mtimes) is as it was. Hand-written cases cover each command; ``hypothesis`` generates
more over the evidence, benchmark, question and resolution schemas (a valid document with one field
replaced by a wrong type or an out-of-range value, or removed; broken YAML; duplicate ids). Malformed
input fails before any sampling, so no PyMC fit runs here. Examples are derandomized (CI reproducible).
"""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast.cli import app
from tests.helpers import REPO

QUESTION = REPO / "priors" / "ukraine_2026.yaml"
CORPUS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LOCK = ".forecast.lock"  # a lock file is how writers take turns, not an output

ITEM: dict[str, Any] = {
    "id": "geneva-talks",
    "date": "2025-11-23",
    "reported": "2025-11-24",
    "kind": "talks_held",
    "title": "Talks in Geneva",
    "source": "Reuters",
    "reliability": "high",
    "cluster": "geneva-round",
    "tags": ["talks"],
    "url": "https://example.org/geneva",
}
STATEMENT: dict[str, Any] = {
    "id": "kremlin-premature",
    "date": "2025-11-26",
    "kind": "statement",
    "title": "Peskov says a deal is premature",
    "source": "TASS",
    "reliability": 0.7,
    "driver": "russia_flexibility",
    "signal": -0.3,
}
NAN, INF = float("nan"), float("inf")
# Values each field must refuse (on the talks_held item above, a reading with the kind's default signal).
BAD_ITEM_VALUES: dict[str, list[Any]] = {
    "id": ["Bad Id", "", 12, ["a"], "x" * 81, None],
    "date": ["2025-13-01", "soon", [1], "2025-02-10", "2062-11-23", None, 20251123],
    "reported": ["2025-11-01", "later", {"a": 1}],
    "kind": ["talks_hold", 3, None, ["talks_held"]],
    "title": ["", [], {"a": "b"}, None],
    "source": ["", [], None],
    "reliability": [0, -0.1, 1.5, 1e6, NAN, INF, "sure", [0.5], None],
    "driver": ["diplomacy_x", 5, [], "military_momentum"],  # another driver than the kind's: needs a signal
    "signal": [1e6, -4, INF, NAN, "big", [1]],
    "magnitude": [NAN, "many", [1], 1e6, -INF],
    "state": ["war", "peace", 1],
    "cluster": ["Bad C", 3.5, ["c"], "kremlin-premature"],  # the last: another item's id, not in the cluster
    "tags": ["single", {"a": 1}, [[1]]],
    "url": [[1], {"u": 1}],
    "likelihood": [{"deal": 1.2}],  # version 1
    "likelyhood": [1],  # misspelt: unknown field
}
# Appended to a document cut anywhere, each leaves invalid YAML (or an alias, which the loader refuses).
BROKEN_TAILS = ["\n- [unclosed", '\n"unterminated', "\n&a x: *a\n"]
REQUIRED_ITEM = ["id", "date", "kind", "title", "source", "reliability"]

BENCHMARK: dict[str, Any] = {
    "id": "polymarket-ceasefire",
    "question_id": "ukraine-2026",
    "source": "Polymarket",
    "question": "Russia x Ukraine ceasefire by March 31, 2026?",
    "url": "https://polymarket.com/event/x",
    "seen": "2025-12-09",
    "probability": 0.24,
    "outcomes": ["ceasefire", "deal"],
    "by": "2026-03-31",
    "match": "loose",
    "differences": "counts any announced ceasefire",
}
BAD_BENCHMARK_VALUES: dict[str, list[Any]] = {
    "id": ["Not A Slug", 7, None],
    "question_id": ["ukraine-2099", "Not A Slug", None],
    "source": ["", None, []],
    "question": ["", None],
    "url": ["polymarket.com", 3, None],
    "seen": ["2025-02-30", "today", None],
    "probability": [1.5, -0.1, NAN, "likely", None],
    "outcomes": [[], ["peace"], ["deal", "deal"], "deal", None],
    "by": ["2020-01-01", "2030-01-01", "by then", None],
    "match": ["exact", 1, None],
    "differences": ["", None],
    "via": [[1], {"a": 1}],
    "extra": ["x"],
}

BAD_QUESTION_VALUES: dict[tuple[str, ...], list[Any]] = {
    ("id",): ["Bad Id", None, 3],
    ("title",): ["", None],
    ("horizon",): ["2026-02-30", "2025-08-01", None, "end of year"],
    ("start",): ["2027-01-01", "2026-12-31", "monday", None, "2021-01-01"],  # the last: before conflict_start
    ("outcomes",): [[], "war", None],
    ("reference", "class"): ["no_such_class", 3],
    ("reference", "conflict_start"): ["2025-10-01", "long ago", None],
    ("reference", "mismatch"): [0.5, INF, NAN, 1e6, "big"],
    ("reference", "data"): [[], ["ucdp_termination"], "all"],
    ("links", "default_sd"): [0, -1, 10, NAN],
    ("links", "table"): ["none", [{"transition": "war->deal"}], None],
    ("extra_field",): [1],
}


def invoke(args: list[str]):
    return CliRunner().invoke(app, [str(a) for a in args])


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and mtime (the lock file aside)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != LOCK
    }


def assert_refused(args: list[Any], named: Path | str, *watched: Path) -> None:
    """Exit 1 naming ``named``, no traceback, and every ``watched`` tree as it was."""
    before = [tree(w) for w in watched]
    result = invoke(args)
    output = result.output
    assert result.exit_code == 1, (args, output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output, output
    assert str(named) in output, (named, output)
    assert [tree(w) for w in watched] == before, args


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A copy of the shipped question and reference data, an evidence folder, and an output tree with a run."""
    priors = tmp_path / "priors"
    shutil.copytree(REPO / "priors", priors)
    (priors / "ukraine_2027.yaml").unlink()  # one question: the refusals are the same for each
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "good.yaml").write_text(dump([STATEMENT]))
    out = tmp_path / "reports"
    (out / "2025-11-19").mkdir(parents=True)
    (out / "2025-11-19" / "note.txt").write_text("an earlier output that must survive")
    return {"priors": priors, "evidence": evidence, "out": out, "tmp": tmp_path}


def evidence_commands(w: dict[str, Path], path: Path) -> list[list[Any]]:
    """Every command that reads evidence, pointed at ``path`` (a file or folder)."""
    common = ["--priors", w["priors"], "--out", w["out"]]
    return [
        ["evidence", "validate", path, "--priors", w["priors"]],
        ["evidence", "list", path, "--priors", w["priors"]],
        ["run", "--as-of", "2025-11-26", "--evidence", path, *common],
        ["backfill", "--from", "2025-11-19", "--to", "2025-11-26", "--evidence", path, *common],
        ["whatif", "--as-of", "2025-11-26", "--evidence", path, *common],
    ]


# --- Evidence -----------------------------------------------------------------------------------


@st.composite
def bad_item_documents(draw: st.DrawFn) -> str:
    """A valid evidence file with one item broken: a field replaced, removed or added; or broken YAML."""
    item = copy.deepcopy(ITEM)
    how = draw(st.sampled_from(["replace", "remove", "yaml", "duplicate"]))
    if how == "replace":
        field = draw(st.sampled_from(sorted(BAD_ITEM_VALUES)))
        item[field] = draw(st.sampled_from(BAD_ITEM_VALUES[field]))
    elif how == "remove":
        del item[draw(st.sampled_from(REQUIRED_ITEM))]
    items = [STATEMENT | {"id": "other-statement"}, item]
    if how == "duplicate":
        items.append(copy.deepcopy(item))
    text = dump(items if draw(st.booleans()) or how == "duplicate" else item)
    if how == "yaml":
        cut = draw(st.integers(min_value=1, max_value=len(text) - 1))
        text = text[:cut] + draw(st.sampled_from(BROKEN_TAILS))
    return text


@CORPUS
@given(document=bad_item_documents())
def test_generated_bad_evidence_is_refused_by_validate(world: dict[str, Path], document: str) -> None:
    path = world["evidence"] / "2025-11" / "broken.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(document)
    assert_refused(["evidence", "validate", world["evidence"], "--priors", world["priors"]], path, world["evidence"])


@settings(CORPUS, max_examples=12)
@given(document=bad_item_documents())
def test_generated_bad_evidence_is_refused_by_every_command(world: dict[str, Path], document: str) -> None:
    path = world["evidence"] / "broken.yaml"
    path.write_text(document)
    for args in evidence_commands(world, world["evidence"]):
        assert_refused(args, path, world["out"], world["evidence"])


@pytest.mark.parametrize("field", sorted(BAD_ITEM_VALUES))
def test_every_bad_field_value_is_refused_by_validate(world: dict[str, Path], field: str) -> None:
    """The corpus itself: each listed value is refused (so a generated example never passes by chance)."""
    for value in BAD_ITEM_VALUES[field]:
        path = world["evidence"] / "broken.yaml"
        path.write_text(dump([STATEMENT | {"id": "other"}, ITEM | {field: value}]))
        assert_refused(
            ["evidence", "validate", world["evidence"], "--priors", world["priors"]], path, world["evidence"]
        )


def test_an_added_whatif_file_that_is_malformed_is_refused(world: dict[str, Path]) -> None:
    added = world["tmp"] / "draft.yaml"
    for document in (dump(ITEM | {"reliability": 7}), "- id: [unclosed\n", dump(STATEMENT)):  # the last: a duplicate id
        added.write_text(document)
        args = ["whatif", "--as-of", "2025-11-26", "--add", added, "--evidence", world["evidence"]]
        assert_refused([*args, "--priors", world["priors"], "--out", world["out"]], added, world["out"])


def test_an_added_whatif_report_of_a_recorded_cluster_on_another_date_is_refused(world: dict[str, Path]) -> None:
    (world["evidence"] / "good.yaml").write_text(dump([STATEMENT | {"cluster": "kremlin-line"}]))
    added = world["tmp"] / "draft.yaml"
    added.write_text(dump(ITEM | {"cluster": "kremlin-line", "date": "2025-11-24", "reported": "2025-11-24"}))
    args = ["whatif", "--as-of", "2025-11-26", "--add", added, "--evidence", world["evidence"]]
    assert_refused([*args, "--priors", world["priors"], "--out", world["out"]], "differs from", world["out"])


def test_evidence_new_with_bad_options_writes_nothing(world: dict[str, Path]) -> None:
    """A bad --id, --cluster or --date used to leave an invalid skeleton behind (``../`` even outside)."""
    base = ["evidence", "new", "--kind", "strike", "--evidence", world["evidence"], "--priors", world["priors"]]
    for extra in (["--id", "Bad Id"], ["--cluster", "Bad C"], ["--date", "2020-01-01"], ["--id", "../../escape"]):
        assert_refused([*base, "--date", "2025-11-20", *extra], world["evidence"], world["tmp"])


# --- Benchmarks ---------------------------------------------------------------------------------


@st.composite
def bad_benchmark_documents(draw: st.DrawFn) -> str:
    entry = copy.deepcopy(BENCHMARK)
    how = draw(st.sampled_from(["replace", "remove", "duplicate", "yaml"]))
    if how == "replace":
        field = draw(st.sampled_from(sorted(BAD_BENCHMARK_VALUES)))
        entry[field] = draw(st.sampled_from(BAD_BENCHMARK_VALUES[field]))
    elif how == "remove":
        del entry[draw(st.sampled_from([k for k in BENCHMARK if k != "via"]))]
    entries = [entry, copy.deepcopy(entry)] if how == "duplicate" else [entry]
    text = dump(entries)
    if how == "yaml":
        text = text[: draw(st.integers(min_value=1, max_value=len(text) - 1))] + draw(st.sampled_from(BROKEN_TAILS))
    return text


@CORPUS
@given(document=bad_benchmark_documents())
def test_generated_bad_benchmarks_are_refused(world: dict[str, Path], document: str) -> None:
    folder = world["tmp"] / "benchmarks"
    folder.mkdir(exist_ok=True)
    path = folder / "broken.yaml"
    path.write_text(document)
    assert_refused(["benchmarks", "validate", folder, "--priors", world["priors"]], path, folder)


def test_bad_benchmarks_stop_run_backfill_and_the_archive_commands(world: dict[str, Path]) -> None:
    folder = world["tmp"] / "benchmarks"
    folder.mkdir()
    path = folder / "broken.yaml"
    path.write_text(dump([BENCHMARK | {"probability": 1.5}]))
    common = [
        "--priors",
        world["priors"],
        "--evidence",
        world["evidence"],
        "--out",
        world["out"],
        "--benchmarks",
        folder,
    ]
    for args in (
        ["run", "--as-of", "2025-11-26", *common],
        ["backfill", "--from", "2025-11-19", "--to", "2025-11-26", *common],
    ):
        assert_refused(args, path, world["out"])


# --- The question -------------------------------------------------------------------------------


def set_path(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    for key in keys[:-1]:
        data = data[key]
    data[keys[-1]] = value


@st.composite
def bad_question_documents(draw: st.DrawFn) -> str:
    data = yaml.safe_load(QUESTION.read_text())
    how = draw(st.sampled_from(["replace", "remove", "yaml", "link"]))
    if how == "replace":
        keys = draw(st.sampled_from(sorted(BAD_QUESTION_VALUES)))
        set_path(data, keys, draw(st.sampled_from(BAD_QUESTION_VALUES[keys])))
    elif how == "remove":
        del data[draw(st.sampled_from(["id", "title", "horizon", "start", "outcomes", "reference", "links"]))]
    elif how == "link":
        row = draw(st.integers(min_value=0, max_value=len(data["links"]["table"]) - 1))
        field, value = draw(
            st.sampled_from(
                [("mean", NAN), ("mean", 1e6), ("sd", 0), ("sd", INF), ("driver", "mood"), ("transition", "war->peace")]
            )
        )
        data["links"]["table"][row][field] = value
    text = dump(data)
    if how == "yaml":
        text = text[: draw(st.integers(min_value=1, max_value=len(text) - 1))] + draw(st.sampled_from(BROKEN_TAILS))
    return text


def question_commands(w: dict[str, Path]) -> list[list[Any]]:
    common = ["--priors", w["priors"], "--out", w["out"]]
    evidence = ["--evidence", w["evidence"]]
    return [
        ["evidence", "validate", w["evidence"], "--priors", w["priors"]],
        ["evidence", "list", w["evidence"], "--priors", w["priors"]],
        ["evidence", "new", "--kind", "strike", "--date", "2025-11-20", *evidence, "--priors", w["priors"]],
        ["benchmarks", "validate", REPO / "benchmarks", "--priors", w["priors"]],
        ["run", "--as-of", "2025-11-26", *evidence, *common],
        ["whatif", "--as-of", "2025-11-26", *evidence, *common],
        ["backfill", "--from", "2025-11-19", "--to", "2025-11-26", *evidence, *common],
        ["reference", "--as-of", "2025-11-26", "--priors", w["priors"]],
        ["resolve", "--outcome", "war", "--date", "2026-12-31", *common],
        ["score", *common],
    ]


@CORPUS
@given(document=bad_question_documents())
def test_generated_bad_questions_are_refused(world: dict[str, Path], document: str) -> None:
    path = world["priors"] / QUESTION.name
    path.write_text(document)
    assert_refused(["evidence", "validate", world["evidence"], "--priors", world["priors"]], path, world["tmp"])


def test_a_bad_question_is_refused_by_every_command(world: dict[str, Path]) -> None:
    path = world["priors"] / QUESTION.name
    for broken in ("mismatch: 2", "start: 2025-09-01"):
        path.write_text(QUESTION.read_text().replace(broken, broken.split(":")[0] + ": [oops"))
        for args in question_commands(world):
            assert_refused(args, path, world["tmp"])


# --- Resolutions, summaries, history, reference data --------------------------------------------

GOOD_RESOLUTIONS = {
    "question_id": "ukraine-2026",
    "horizon": "2026-12-31",
    "observations": [{"date": "2026-12-31", "outcome": "war", "recorded_at": "2027-01-01T00:00:00+00:00"}],
}


@st.composite
def bad_resolutions(draw: st.DrawFn) -> str:
    data = copy.deepcopy(GOOD_RESOLUTIONS)
    observation = data["observations"][0]
    how = draw(st.sampled_from(["observation", "top", "json", "duplicate"]))
    if how == "observation":
        field, value = draw(
            st.sampled_from(
                [
                    ("outcome", "peace"),
                    ("outcome", 3),
                    ("date", "2030-01-01"),
                    ("date", "2020-01-01"),
                    ("date", "someday"),
                    ("recorded_at", None),
                    ("extra", 1),
                ]
            )
        )
        observation[field] = value
    elif how == "top":
        field, value = draw(
            st.sampled_from(
                [("question_id", "other"), ("horizon", "2027-01-01"), ("observations", "war"), ("question_id", None)]
            )
        )
        data[field] = value
    elif how == "duplicate":
        data["observations"].append(copy.deepcopy(observation))
    text = json.dumps(data)
    if how == "json":
        text = text[: draw(st.integers(min_value=0, max_value=len(text) - 1))]
    return text


@CORPUS
@given(document=bad_resolutions())
def test_generated_bad_resolutions_are_refused_by_score_and_resolve(world: dict[str, Path], document: str) -> None:
    path = world["out"] / "resolutions" / "ukraine-2026.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(document)
    common = ["--priors", world["priors"], "--out", world["out"]]
    assert_refused(["score", *common], path, world["out"])
    assert_refused(["resolve", "--outcome", "war", "--date", "2026-06-01", *common], path, world["out"])


def test_resolve_with_bad_options_writes_nothing(world: dict[str, Path]) -> None:
    common = ["--priors", world["priors"], "--out", world["out"]]
    assert_refused(["resolve", "--outcome", "peace", "--date", "2026-12-31", *common], "--outcome", world["out"])
    assert_refused(["resolve", "--outcome", "war", "--date", "2030-01-01", *common], "--date", world["out"])


def test_a_malformed_summary_is_refused_by_report_and_history(world: dict[str, Path]) -> None:
    run = world["out"] / "2025-11-26"
    run.mkdir()
    path = run / "summary.json"
    for document in ('{"schema_version": 2', '{"schema_version": 9}', "[]", '{"schema_version": 2, "as_of": 3}'):
        path.write_text(document)
        assert_refused(["report", run], path, world["out"])


def test_a_damaged_history_is_refused_by_history_and_run(world: dict[str, Path]) -> None:
    database = world["out"] / "history.sqlite"
    database.write_bytes(b"this is not a database" * 100)
    assert_refused(["history", "--out", world["out"]], database, world["out"])
    assert_refused(["history", "--out", world["out"], "--csv", "-"], database, world["out"])
    with sqlite3.connect(world["tmp"] / "other.sqlite") as handle:  # a database, but not ours
        handle.execute("create table runs (x)")
    shutil.copy(world["tmp"] / "other.sqlite", database)
    assert_refused(["history", "--out", world["out"]], database, world["out"])


def test_malformed_reference_data_is_refused_by_reference_and_backtest(world: dict[str, Path]) -> None:
    data = world["priors"] / "reference"
    target = data / "ucdp_conflict_years.csv"
    target.write_text("not,the,columns\n1,2,3\n")
    assert_refused(["reference", "--as-of", "2025-11-26", "--priors", world["priors"]], target, world["tmp"])
    out = world["tmp"] / "backtest"
    assert_refused(["backtest", "--data", data, "--out", out], target, world["tmp"])


def test_malformed_event_table_is_refused_by_weights_and_backtest(world: dict[str, Path]) -> None:
    data = world["priors"] / "reference"
    target = data / "events.csv"
    target.write_text("not,the,columns\n1,2,3\n")
    assert_refused(["weights", "--data", data, "--draws", 100, "--tune", 100], target, world["tmp"])
    assert_refused(["backtest", "--data", data, "--out", world["tmp"] / "backtest"], target, world["tmp"])


# --- Options whose range depends on the question or the data ------------------------------------


def test_dates_and_ranges_outside_the_question_are_refused_before_anything_runs(world: dict[str, Path]) -> None:
    common = ["--priors", world["priors"], "--evidence", world["evidence"], "--out", world["out"]]
    question = world["priors"] / QUESTION.name
    for args in (
        ["run", "--as-of", "2025-08-01", *common],
        ["run", "--as-of", "2026-12-31", *common],
        ["whatif", "--as-of", "2027-03-01", *common],
        # used to run the weeks before the horizon, then stop with the rest unwritten
        ["backfill", "--from", "2026-12-20", "--to", "2027-02-01", *common],
    ):
        assert_refused(args, question, world["out"])
    assert_refused(["reference", "--as-of", "1900-01-01", "--priors", world["priors"]], "--as-of", world["tmp"])
    assert_refused(["reference", "--as-of", "2030-01-01", "--priors", world["priors"]], "--as-of", world["tmp"])
    out = world["tmp"] / "backtest"
    for origin in ("3000", "-5", "1946"):
        args = ["backtest", "--data", world["priors"] / "reference", "--out", out, "--first-origin", origin]
        assert_refused(args, "--first-origin", world["tmp"])


@pytest.mark.parametrize(
    "args",
    [
        ["backfill", "--from", "2025-11-19", "--to", "2025-11-26", "--every", "99999999999d"],
        ["backfill", "--from", "2025-11-19", "--to", "2025-11-26", "--every", "0d"],
        ["backfill", "--from", "2025-11-26", "--to", "2025-11-19"],
        ["run", "--as-of", "2025-11-26", "--draws", "0"],
        ["run", "--as-of", "2025-11-26", "--seed", "-1"],
        ["run", "--as-of", "2025-11-26", "--seed", str(2**70)],
        ["run", "--as-of", "26/11/2025"],
    ],
)
def test_malformed_options_are_usage_errors_without_a_traceback(world: dict[str, Path], args: list[str]) -> None:
    """Option values typer can check alone (a number's range, a date's format) are usage errors: exit 2,
    typer's message naming the option, before anything is loaded or written."""
    before = tree(world["out"])
    result = invoke([*args, "--priors", world["priors"], "--evidence", world["evidence"], "--out", world["out"]])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output and "Invalid value" in result.output
    assert tree(world["out"]) == before


def test_the_shipped_example_still_loads() -> None:
    result = invoke(["evidence", "validate", REPO / "evidence", "--priors", REPO / "priors" / "ukraine_2026.yaml"])
    assert result.exit_code == 0 and "OK" in result.output
    result = invoke(["benchmarks", "validate", REPO / "benchmarks", "--priors", REPO / "priors" / "ukraine_2026.yaml"])
    assert result.exit_code == 0 and "OK" in result.output
    assert date.fromisoformat(yaml.safe_load(QUESTION.read_text())["start"].isoformat()) <= date(2025, 11, 19)
