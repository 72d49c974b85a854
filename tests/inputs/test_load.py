"""Validation rules, each from files on disk, and the CLI's report of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.inputs.load import load_evidence, load_kinds, load_question
from tests.helpers import QUESTION, REPO

GOOD = """\
- id: geneva-talks
  date: 2025-11-23
  kind: talks_held
  title: Talks in Geneva
  source: Reuters
  reliability: high
- id: kremlin-premature
  date: 2025-11-26
  kind: statement
  title: Peskov says a deal is premature
  source: TASS
  reliability: 0.7
  driver: russia_flexibility
  signal: -0.3
  cluster: kremlin-line
"""


@pytest.fixture()
def world(tmp_path: Path):
    """A priors folder (the shipped question) and an empty evidence folder."""
    priors = tmp_path / "priors"
    priors.mkdir()
    shutil.copy(REPO / "priors" / "ukraine_2026.yaml", priors)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    return priors, evidence


def problems(priors: Path, evidence: Path) -> list[str]:
    question = load_question(priors)
    with pytest.raises(InputError) as caught:
        load_evidence(evidence, question, load_kinds())
    return [p.render() for p in caught.value.problems]


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_good_file_loads_with_word_reliability(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD)
    question = load_question(priors)
    items = load_evidence(evidence, question, load_kinds())
    assert [i.item.id for i in items] == ["geneva-talks", "kremlin-premature"]
    assert items[0].item.reliability == 0.85
    assert items[1].line == 7


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  reliability: 0.7\n",
            "  reliability: 0.7\n  likelyhood: {deal: 1}\n",
            "a.yaml:13: likelyhood: unknown field",
        ),
        ("kind: talks_held", "kind: talks_hold", "a.yaml:3: kind: unknown kind 'talks_hold'"),
        ("driver: russia_flexibility", "driver: russia_flex", "a.yaml:13: driver: unknown driver 'russia_flex'"),
        ("signal: -0.3", "signal: -5", "a.yaml:14: signal: signal -5.0 is off the scale"),
        ("signal: -0.3", "signal: .nan", "a.yaml:14: signal: signal must be a finite number"),
        ("signal: -0.3", "signal: lots", "a.yaml:14: signal: Input should be a valid number"),
        ("  signal: -0.3\n", "", "a.yaml:7: item: kind 'statement' has no default signal"),
        ("  driver: russia_flexibility\n", "", "a.yaml:7: item: kind 'statement' has no default reading"),
        (
            "  signal: -0.3\n",
            "  signal: -0.3\n  likelihood: {deal: 0.7, ceasefire: 0.8, frozen: 1.0, war: 1.3}\n",
            "a.yaml:15: likelihood: `likelihood` (version 1) is retired: give `driver` and `signal`",
        ),
        (
            "  date: 2025-11-26\n",
            "  date: 2025-11-26\n  reported: 2025-11-20\n",
            "a.yaml:9: reported: reported 2025-11-20 is before the event date 2025-11-26",
        ),
        ("date: 2025-11-23", "date: 2025-02-30", "a.yaml:2: date: Input should be a valid date"),
        ("reliability: 0.7", "reliability: 1.5", "a.yaml:12: reliability: must be in (0, 1]"),
        ("reliability: 0.7", "reliability: 0", "a.yaml:12: reliability: must be in (0, 1]"),
        ("reliability: high", "reliability: sure", "a.yaml:6: reliability: must be a number in (0, 1] or one of"),
        ("id: geneva-talks", "id: Geneva Talks!", "a.yaml:1: id: String should match pattern"),
        ("cluster: kremlin-line", "cluster: Kremlin line", "a.yaml:15: cluster: String should match pattern"),
        (
            "  source: Reuters\n",
            "  source: Reuters\n  source: AP\n",
            "a.yaml:6: source: duplicate key (first at line 5)",
        ),
        ("  title: Talks in Geneva\n", "", "a.yaml:1: title: Field required"),
    ],
)
def test_each_rule_names_file_line_and_field(world, old, new, expected):
    priors, evidence = world
    assert old in GOOD
    write(evidence, "a.yaml", GOOD.replace(old, new, 1))
    found = problems(priors, evidence)
    assert any(expected in p for p in found), found


def test_duplicate_ids_name_both_files(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD)
    (evidence / "sub").mkdir()
    write(evidence / "sub", "b.yml", GOOD.split("- id: kremlin")[0])
    found = problems(priors, evidence)
    assert len(found) == 1
    assert "sub/b.yml:1: id: duplicate id 'geneva-talks' (also in" in found[0] and "a.yaml:1)" in found[0]


def test_not_utf8_is_reported_with_line(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.encode().replace(b"Reuters", b"Reut\xe9rs"))
    assert any("a.yaml:5: file is not UTF-8 (byte 0xe9)" in p for p in problems(priors, evidence))


def test_python_tags_are_refused_and_never_run(world, tmp_path):
    priors, evidence = world
    marker = tmp_path / "pwned"
    write(evidence, "a.yaml", f"- !!python/object/apply:os.system ['touch {marker}']\n")
    found = problems(priors, evidence)
    assert any("a.yaml:1: invalid YAML: only plain YAML data is allowed" in p for p in found), found
    assert not marker.exists()


def test_broken_yaml_and_wrong_shape(world):
    priors, evidence = world
    write(evidence, "a.yaml", "- id: x\n  title: [unclosed\n")
    write(evidence, "b.yaml", "just a string\n")
    found = problems(priors, evidence)
    assert any(p.startswith(f"{evidence / 'a.yaml'}:") and "invalid YAML" in p for p in found)
    assert any("b.yaml:1: an evidence file holds one item" in p for p in found)


def test_every_problem_of_every_file_is_reported(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.replace("talks_held", "talks_hold").replace("0.7\n", "7\n"))
    write(
        evidence,
        "b.yaml",
        GOOD.replace("geneva-talks", "other").replace("kremlin-premature", "k2").replace("2025-11-23", "2025-13-01"),
    )
    assert len(problems(priors, evidence)) == 3


def test_cli_validate_prints_problems_and_exits_1(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.replace("talks_held", "talks_hold"))
    result = CliRunner().invoke(app, ["evidence", "validate", str(evidence), "--priors", str(priors)])
    assert result.exit_code == 1
    assert f"{evidence / 'a.yaml'}:3: kind: unknown kind 'talks_hold'" in result.output
    assert "Traceback" not in result.output


def test_cli_validate_accepts_shipped_evidence():
    result = CliRunner().invoke(app, ["evidence", "validate", str(REPO / "evidence"), "--priors", str(QUESTION)])
    assert result.exit_code == 0, result.output
    count = int(result.output.split("OK: ")[1].split()[0])
    assert count >= 20


def test_cli_list_filters_by_as_of(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD)
    result = CliRunner().invoke(
        app, ["evidence", "list", str(evidence), "--priors", str(priors), "--as-of", "2025-11-24"]
    )
    assert result.exit_code == 0
    assert "geneva-talks" in result.output and "kremlin-premature" not in result.output


def test_question_errors_are_located(tmp_path):
    text = (REPO / "priors" / "ukraine_2026.yaml").read_text().replace("mismatch: 2", "mismatch: 0.5")
    text = text.replace("driver: diplomacy, mean: 0.4", "driver: diplomcy, mean: 0.4", 1)
    write(tmp_path, "q.yaml", text)
    with pytest.raises(InputError) as caught:
        load_question(tmp_path / "q.yaml")
    rows = text.splitlines()
    line = next(i for i, row in enumerate(rows, 1) if "mismatch: 0.5" in row)
    assert f"q.yaml:{line}: reference.mismatch: Input should be greater than or equal to 1" in str(caught.value)
    line = next(i for i, row in enumerate(rows, 1) if "driver: diplomcy" in row)
    assert f"q.yaml:{line}: links.table.0.driver: unknown driver 'diplomcy'" in str(caught.value)


# --- Items against the question's span, and the reports of one cluster ------------------------------------

STATE_CHANGE = """\
- id: old-ceasefire-collapses
  date: 2023-05-01
  kind: state_change
  state: war
  title: An earlier ceasefire collapses
  source: UN
  reliability: confirmed
"""


def test_a_reading_dated_before_the_questions_start_is_refused_with_its_line(world):
    """It used to be moved silently onto the grid's first week, counting as if it had happened then."""
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.replace("date: 2025-11-23", "date: 2025-02-10"))
    assert problems(priors, evidence) == [
        f"{evidence / 'a.yaml'}:2: date: 2025-02-10 is before the question's start 2025-09-01: the driver grid "
        "begins there; move `start` earlier in the question file or leave the item out"
    ]


def test_a_reading_dated_after_the_horizon_is_refused(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.replace("date: 2025-11-26", "date: 2062-11-26"))
    assert problems(priors, evidence) == [
        f"{evidence / 'a.yaml'}:8: date: 2062-11-26 is after the question's horizon 2026-12-31: no run of this "
        "question can use it (check the year)"
    ]


def test_a_state_change_before_the_start_is_history_and_loads(world):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD + STATE_CHANGE)
    items = load_evidence(evidence, load_question(priors), load_kinds())
    assert items[0].item.id == "old-ceasefire-collapses"


def test_reports_of_one_cluster_must_share_its_date(world):
    """The reading is placed on one date; a report dated otherwise used to be placed on the strongest's."""
    priors, evidence = world
    write(evidence, "a.yaml", GOOD)
    echo = GOOD.split("- id: kremlin-premature")[1].replace("date: 2025-11-26", "date: 2025-11-27")
    write(evidence, "b.yaml", "- id: kremlin-premature-echo" + echo)
    assert problems(priors, evidence) == [
        f"{evidence / 'b.yaml'}:1: date: cluster 'kremlin-line': 2025-11-27 differs from 2025-11-26 of "
        f"'kremlin-premature' ({evidence / 'a.yaml'}:7): the reports of one event share its date; a later "
        "restatement is a new event (another cluster, or none)"
    ]


def test_an_item_named_like_a_cluster_it_is_not_in_is_refused(world):
    """Its event would be the cluster's: it would be merged into that reading without a word."""
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.replace("cluster: kremlin-line", "cluster: geneva-talks"))
    assert problems(priors, evidence) == [
        f"{evidence / 'a.yaml'}:1: id: 'geneva-talks' is also the name of a cluster ({evidence / 'a.yaml'}:7) this "
        "item is not in: it would be merged into that event; add `cluster: geneva-talks` or rename one of them"
    ]


def test_the_span_check_is_in_validate_and_run_alike(world, tmp_path):
    priors, evidence = world
    write(evidence, "a.yaml", GOOD.replace("date: 2025-11-23", "date: 2025-02-10"))
    where = ["--priors", str(priors), "--evidence", str(evidence), "--out", str(tmp_path / "o")]
    for args in (
        ["evidence", "validate", str(evidence), "--priors", str(priors)],
        ["run", "--as-of", "2025-11-26", *where],
        ["backfill", "--from", "2025-11-19", "--to", "2025-11-26", *where],
        ["whatif", "--as-of", "2025-11-26", *where],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert f"{evidence / 'a.yaml'}:2: date: 2025-02-10 is before the question's start" in result.output, args
    assert not (tmp_path / "o").exists()
