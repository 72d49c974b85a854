"""`forecast whatif`: items added or dropped give exactly the run with that evidence folder, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.analysis.whatif import UnknownId, what_if
from forecast.cli import app
from forecast.errors import InputError
from forecast.horizon import compile_forecaster
from forecast.model.fit import Forecaster
from forecast.model.settings import SamplerSettings
from forecast.pipeline import run_forecast
from forecast.results.summary import Summary
from forecast.run_inputs import RunConfig, load_inputs
from tests.helpers import CEASEFIRE, QUESTION, REPO, evidence_with, run_config

SETTINGS = SamplerSettings(draws=200, tune=200, chains=2)
ADDED = """\
- id: hypothetical-summit
  date: 2025-11-24
  kind: talks_held
  title: A hypothetical leaders' summit
  source: test
  reliability: confirmed
  signal: 2.0
- id: hypothetical-later
  date: 2025-11-25
  reported: 2025-11-28
  kind: talks_held
  title: A hypothetical summit reported only after the as-of date
  source: test
  reliability: confirmed
  signal: -2.0
"""


def config(out: Path, **kw) -> RunConfig:
    return run_config(out, settings=SETTINGS, **kw)


def means(summary: Summary) -> dict[str, float]:
    return {k: v.mean for k, v in summary.outcomes.items()}


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` (hidden ones included) with its size and modification time."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def forecaster(tmp_path_factory) -> Forecaster:
    """One compiled model for every fit here: the same data and seed give the same draws as a fresh one."""
    return compile_forecaster(load_inputs(config(tmp_path_factory.mktemp("unused"))), SETTINGS)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("files")
    (folder / "added.yaml").write_text(ADDED)
    (folder / "ceasefire.yaml").write_text(CEASEFIRE)
    return folder


@pytest.fixture(scope="module")
def plain(tmp_path_factory, forecaster) -> tuple[Path, Summary]:
    """The recorded run of the shipped evidence: (out folder, summary)."""
    out = tmp_path_factory.mktemp("plain")
    return out, run_forecast(config(out), forecaster=forecaster)[1]


@pytest.fixture(scope="module")
def ceasefire(tmp_path_factory, forecaster) -> tuple[Path, Path, Summary]:
    """The recorded run with a ceasefire state change in the folder: (out, evidence, summary)."""
    root = tmp_path_factory.mktemp("ceasefire")
    evidence = evidence_with(root / "evidence", "ceasefire.yaml", CEASEFIRE)
    return root / "out", evidence, run_forecast(config(root / "out", evidence=evidence), forecaster=forecaster)[1]


def test_an_added_item_is_the_run_with_it_in_the_folder(tmp_path, forecaster, files, plain) -> None:
    evidence = evidence_with(tmp_path / "evidence", "added.yaml", ADDED)
    _, full = run_forecast(config(tmp_path / "full", evidence=evidence), forecaster=forecaster)
    result = what_if(config(tmp_path / "none"), [files / "added.yaml"], [], forecaster=forecaster)
    # Identical readings, seed and settings give identical draws: equal to the last bit, not within MC error.
    assert result.after == means(full)
    assert result.before == means(plain[1])  # nothing recorded: the baseline fitted now is the plain run
    assert means(full) != means(plain[1])  # the item changes the fit, so ignoring it would fail above
    assert result.recorded_run is None and not result.recorded_current
    assert result.added == ["hypothetical-summit"] and result.left_out == ["hypothetical-later"]
    assert "hypothetical-later" in full.excluded_after_as_of


def test_an_added_state_change_moves_the_current_state(plain, files, ceasefire, forecaster) -> None:
    out, summary = plain
    result = what_if(config(out), [files / "ceasefire.yaml"], [], forecaster=forecaster)
    assert result.after == means(ceasefire[2])
    assert result.after["ceasefire"] > 0.8  # the forecast starts from the ceasefire
    assert result.before == means(summary) and result.recorded_run == summary.run_id and result.recorded_current


def test_a_dropped_item_is_the_run_without_it(ceasefire, plain, forecaster) -> None:
    out, evidence, recorded = ceasefire
    result = what_if(config(out, evidence=evidence), [], ["ceasefire-agreed"], forecaster=forecaster)
    assert result.after == means(plain[1])  # back to war: a dropped state change changes the state too
    assert result.before == means(recorded) and result.recorded_run == recorded.run_id
    assert result.dropped == ["ceasefire-agreed"]


def test_a_cluster_id_drops_every_report_of_the_event(plain, forecaster) -> None:
    out, summary = plain
    result = what_if(config(out), [], ["geneva-round"], forecaster=forecaster)
    assert result.dropped == sorted(summary.evidence["geneva-round"].items) and len(result.dropped) > 1
    assert result.after != result.before


def test_measured_items_are_added_and_dropped_like_the_run(tmp_path, plain, forecaster) -> None:
    out, summary = plain
    dropped = what_if(config(out), [], ["us-shuttle-mediation"], forecaster=forecaster)
    assert dropped.before == means(summary)
    assert dropped.after["deal"] < dropped.before["deal"]  # the measured mediation raised the deal hazard
    truce = tmp_path / "truce.yaml"
    truce.write_text(
        "- {id: hypothetical-truce, date: 2025-11-25, kind: ceasefire_declared, side: bilateral, scope: general,\n"
        "   title: A hypothetical general truce declared by both, source: test, reliability: confirmed}\n"
    )
    added = what_if(config(out), [truce], [], forecaster=forecaster)
    evidence = evidence_with(tmp_path / "evidence", "truce.yaml", truce.read_text())
    _, full = run_forecast(config(tmp_path / "full", evidence=evidence), forecaster=forecaster)
    assert added.after == means(full)
    assert added.after["ceasefire"] > added.before["ceasefire"] + 0.005


def test_unknown_ids_and_clashing_ids_are_refused(plain, files, tmp_path) -> None:
    out, _ = plain
    with pytest.raises(UnknownId, match="geneva-roud.*close matches: geneva-round"):
        what_if(config(out), [], ["geneva-roud"])
    clash = tmp_path / "clash.yaml"
    clash.write_text(ADDED + CEASEFIRE.replace("ceasefire-agreed", "putin-could-form-basis"))
    line = ADDED.count("\n") + 1
    with pytest.raises(InputError, match=rf"clash.yaml:{line}: id: duplicate id 'putin-could-form-basis' \(also in "):
        what_if(config(out), [clash], [])
    twice = pytest.raises(InputError, match="added.yaml:1: id: duplicate id 'hypothetical-summit'")
    with twice:
        what_if(config(out), [files / "added.yaml", files / "added.yaml"], [])


def invoke(out: Path, *args: str):
    common = [
        "--priors",
        str(QUESTION),
        "--evidence",
        str(REPO / "evidence"),
        "--out",
        str(out),
    ]
    sizes = ["--draws", "100", "--tune", "100", "--chains", "2"]
    return CliRunner().invoke(app, ["whatif", "--as-of", "2025-11-26", *common, *sizes, *args])


def test_cli_json_is_before_and_after_per_outcome_and_writes_nothing(plain) -> None:
    out, summary = plain
    before = tree(out)
    result = invoke(out, "--drop", "geneva-round", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["deal", "ceasefire", "frozen", "war"]
    assert all(set(v) == {"before", "after"} for v in document.values())
    assert {k: v["before"] for k, v in document.items()} == means(summary)
    assert sum(v["after"] for v in document.values()) == pytest.approx(1.0)
    assert tree(out) == before


def test_cli_table_without_a_recorded_run(tmp_path, files) -> None:
    out = tmp_path / "out"
    result = invoke(out, "--add", str(files / "added.yaml"))
    assert result.exit_code == 0, result.output
    assert "before: not recorded, fitted now" in result.stdout
    assert "left out (reported after 2025-11-26): hypothetical-later" in result.stdout
    assert "Continued war" in result.stdout and "change (pp)" in result.stdout
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


def test_cli_bad_added_file_and_unknown_drop_exit_1(plain, tmp_path) -> None:
    out, _ = plain
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  date: 2025-11-20\n  kind: talks_held\n  title: t\n  source: s\n  reliability: 2\n")
    result = invoke(out, "--add", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:6: reliability: must be in (0, 1]" in result.stderr
    result = invoke(out, "--drop", "no-such-item")
    assert result.exit_code == 1 and "--drop no-such-item: no evidence item or cluster has this id" in result.stderr
