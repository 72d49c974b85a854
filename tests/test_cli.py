"""The command line: one error path for every bad input file, schemas, and new evidence skeletons."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inputs.load import load_evidence, load_kinds, load_question
from forecast.inputs.yamlio import load_yaml
from tests.helpers import REPO

QUESTION = REPO / "priors" / "ukraine_2026.yaml"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_located_failure(result, *expected: str) -> None:
    """Exit 1, each expected ``file:line: ...`` text on stderr, and no traceback."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output


@pytest.fixture
def priors(tmp_path: Path) -> Path:
    folder = tmp_path / "priors"
    folder.mkdir()
    shutil.copy(QUESTION, folder)
    return folder


def test_a_question_with_a_yaml_syntax_error_is_located_in_every_command(priors: Path, tmp_path: Path) -> None:
    path = priors / QUESTION.name
    path.write_text(path.read_text().replace("horizon: 2026-12-31", "horizon: [2026-12-31"))
    evidence = str(REPO / "evidence")
    for args in (
        ["run", "--as-of", "2025-11-26", "--out", str(tmp_path / "out")],
        ["evidence", "validate", evidence],
        ["evidence", "list", evidence],
        ["evidence", "new", "--kind", "strike", "--evidence", str(tmp_path)],
    ):
        assert_located_failure(invoke(*args, "--priors", str(priors)), f"{path}:", "invalid YAML")
    assert not (tmp_path / "out").exists()


def test_a_question_with_a_bad_field_names_it(priors: Path) -> None:
    path = priors / QUESTION.name
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("horizon:"))
    path.write_text(path.read_text().replace("horizon: 2026-12-31", "horizon: 2026-02-30"))
    result = invoke("evidence", "validate", str(REPO / "evidence"), "--priors", str(priors))
    assert_located_failure(result, f"{path}:{line}: horizon:")


def test_a_bad_kinds_catalogue_is_located(tmp_path: Path) -> None:
    kinds = tmp_path / "kinds.yaml"
    text = (REPO / "forecast" / "inputs" / "kinds.yaml").read_text()
    kinds.write_text(text.replace("  sd: 0.6", "  sd: -1", 1))
    line = next(i for i, row in enumerate(kinds.read_text().splitlines(), 1) if "  sd: -1" in row)
    result = invoke("evidence", "validate", str(REPO / "evidence"), "--kinds", str(kinds))
    assert_located_failure(result, f"{kinds}:{line}: sd:")
    kinds.write_text("statement: [unclosed\n")
    assert_located_failure(invoke("run", "--kinds", str(kinds), "--out", str(tmp_path)), f"{kinds}:", "invalid YAML")


def test_report_of_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    assert_located_failure(invoke("report", str(tmp_path)), "summary.json: not found (is this a run folder?)")
    (tmp_path / "summary.json").write_text('{"schema_version": 2, "as_of": "2025-11-26"')
    assert_located_failure(invoke("report", str(tmp_path)), "summary.json:1: invalid JSON")
    (tmp_path / "summary.json").write_text('{"schema_version": 2, "as_of": "2025-11-26"}')
    assert_located_failure(invoke("report", str(tmp_path)), "summary.json: run_id: Field required")
    (tmp_path / "summary.json").write_text('{"schema_version": 1, "as_of": "2025-11-26"}')
    assert_located_failure(invoke("report", str(tmp_path)), "summary.json: schema_version: 1 is not supported")


def test_a_damaged_history_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite").write_bytes(b"this is not a database" * 100)
    assert_located_failure(invoke("history", "--out", str(tmp_path)), "history.sqlite: not a readable history database")


def test_schemas_are_json_schema_and_the_shipped_evidence_satisfies_its_own() -> None:
    documents = {}
    for name in ("evidence", "question", "summary", "manifest"):
        result = invoke("schema", name)
        assert result.exit_code == 0, result.output
        documents[name] = json.loads(result.output)
        jsonschema.Draft202012Validator.check_schema(documents[name])
    evidence = jsonschema.Draft202012Validator(documents["evidence"])
    for path in sorted((REPO / "evidence").rglob("*.yaml")):  # as an editor sees them: dates are strings
        assert not list(evidence.iter_errors(load_yaml(path).data)), path
    jsonschema.validate(load_yaml(QUESTION).data, documents["question"])
    assert list(evidence.iter_errors({"id": "x", "date": "2025-11-26", "kind": "no-such-kind"}))


@pytest.mark.parametrize("kind", sorted(load_kinds()))
def test_evidence_new_gives_a_valid_skeleton_of_every_kind(tmp_path: Path, kind: str) -> None:
    result = invoke("evidence", "new", "--kind", kind, "--date", "2025-12-02", "--evidence", str(tmp_path))
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "2025-12").glob("*.yaml")
    kinds = load_kinds()
    [located] = load_evidence(path, load_question(QUESTION), kinds)
    attributes = located.item.measured_attributes(kinds[kind])
    assert (attributes is not None) == kinds[kind].measured  # measured kinds get their attributes, no reading


def test_evidence_new_writes_a_valid_skeleton_and_never_overwrites(tmp_path: Path) -> None:
    args = (
        "evidence",
        "new",
        "--kind",
        "battlefield_gain",
        "--date",
        "2025-12-02",
        "--cluster",
        "pokrovsk-fall",
        "--evidence",
        str(tmp_path),
        "--priors",
        str(QUESTION),
    )
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    path = tmp_path / "2025-12" / "2025-12-02-pokrovsk-fall.yaml"
    question = load_question(QUESTION)
    kinds = load_kinds()
    [located] = load_evidence(path, question, kinds)
    item = located.item
    assert item.reading(kinds[item.kind]).signal == kinds["battlefield_gain"].signal  # the kind's default
    assert (item.kind, item.date.isoformat(), item.cluster, item.magnitude) == (
        "battlefield_gain",
        "2025-12-02",
        "pokrovsk-fall",
        500,
    )
    before = path.read_bytes()
    assert_located_failure(invoke(*args), f"{path}: already exists; not overwritten")
    assert path.read_bytes() == before
    for kind in ("statement", "state_change", "strike"):  # no default reading, a transition, a zero default
        result = invoke("evidence", "new", "--kind", kind, "--evidence", str(tmp_path), "--priors", str(QUESTION))
        assert result.exit_code == 0, result.output
    items = load_evidence(tmp_path, question, kinds)
    assert {i.item.kind for i in items} == {"battlefield_gain", "statement", "state_change", "strike"}
    neutral = [i.item for i in items if i.item.kind != "battlefield_gain"]
    assert all(
        i.state in (None, "war") and (i.reading(kinds[i.kind]) is None or i.reading(kinds[i.kind]).signal == 0)
        for i in neutral
    )  # an unedited skeleton moves nothing
    assert invoke("evidence", "new", "--kind", "rumour", "--evidence", str(tmp_path)).exit_code == 2


def test_reference_prints_hazards_and_no_evidence_probabilities_for_any_date() -> None:
    def document(as_of: str, *extra: str) -> dict:
        result = invoke("reference", "--as-of", as_of, "--priors", str(QUESTION), "--json", *extra)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    early, late = document("2025-11-26"), document("2026-11-23")
    assert len(early["hazards"]["rows"]) == 8
    assert sum(v["mean"] for v in early["probabilities"].values()) == pytest.approx(1.0, abs=1e-9)
    assert late["probabilities"]["war"]["mean"] > early["probabilities"]["war"]["mean"]  # less time to end
    interstate = document("2025-11-26", "--class", "interstate_wars")
    assert interstate["hazards"]["reference_class"] == "interstate_wars"
    assert interstate["probabilities"]["war"]["mean"] != early["probabilities"]["war"]["mean"]
    assert invoke("reference", "--priors", str(QUESTION), "--class", "no-such-class").exit_code == 2


# --- resolve, score, archive ---------------------------------------------------------------------


def test_resolve_score_and_archive_from_the_command_line(tmp_path: Path) -> None:
    from tests.fake_runs import three_runs

    out = tmp_path / "reports"
    three_runs(out)
    priors = str(REPO / "priors" / "ukraine_2026.yaml")
    none = str(tmp_path / "no-benchmarks")
    unresolved = invoke("score", "--out", str(out), "--priors", priors, "--benchmarks", none)
    assert unresolved.exit_code == 1 and "not resolved" in unresolved.output and "Traceback" not in unresolved.output
    unknown = invoke("resolve", "--outcome", "peace", "--date", "2026-12-31", "--out", str(out), "--priors", priors)
    assert_located_failure(unknown, "unknown outcome 'peace'")
    done = invoke("resolve", "--outcome", "ceasefire", "--date", "2026-12-31", "--out", str(out), "--priors", priors)
    assert done.exit_code == 0, done.output
    assert (out / "index.html").is_file() and "Resolved:" in (out / "index.html").read_text()
    conflict = invoke("resolve", "--outcome", "war", "--date", "2026-12-31", "--out", str(out), "--priors", priors)
    assert conflict.exit_code == 1 and "--force" in conflict.output
    scored = invoke("score", "--out", str(out), "--priors", priors, "--benchmarks", none, "--json")
    assert scored.exit_code == 0, scored.output
    card = json.loads(scored.stdout)
    assert card["resolution"]["outcome"] == "ceasefire"
    assert [r["as_of"] for r in card["runs"]] == ["2025-11-26", "2025-12-03", "2025-12-10"]
    assert card["runs"][0]["brier"] == pytest.approx(0.90) and card["mean"]["runs"] == 3
    assert set(card["runs"][0]) >= {"as_of", "brier", "log_score", "rps", "baseline", "skill"}
    table = invoke("score", "--out", str(out), "--priors", priors, "--benchmarks", none)
    assert table.exit_code == 0 and "mean of 3" in table.output
    (out / "index.html").unlink()
    rebuilt = invoke("archive", "--out", str(out), "--benchmarks", none)
    assert rebuilt.exit_code == 0 and "Mean of 3 run(s)" in (out / "index.html").read_text()
