"""`forecast run` end to end on the shipped example: outputs, reproducibility, no look-ahead, all-or-nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import arviz as az
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.pipeline import backfill, parse_every, run_dates, run_forecast
from forecast.results.summary import Summary
from forecast.run_inputs import RunConfig, load_inputs
from forecast.store.history import HistoryStore
from forecast.store.runs import RunExists
from tests.helpers import CEASEFIRE, QUESTION, REPO, evidence_with, run_config

LATER_ITEM = """\
- id: hypothetical-summit
  date: 2025-11-25
  reported: 2025-11-28
  kind: talks_held
  title: A summit reported only after the as-of date
  source: test
  reliability: confirmed
  signal: 2.0
"""


def config(out: Path, as_of: str | date = "2025-11-26", **kw) -> RunConfig:
    return run_config(out, as_of, **kw)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> tuple[Path, Summary]:
    return run_forecast(config(tmp_path_factory.mktemp("out")))


def test_run_writes_contract_files(example_run):
    run_dir, summary = example_run
    assert run_dir.name == "2025-11-26"
    assert {p.name for p in run_dir.iterdir()} == {"summary.json", "manifest.json", "posterior.nc"}
    saved = json.loads((run_dir / "summary.json").read_text())
    assert saved == json.loads(summary.model_dump_json())
    assert saved["schema_version"] == 2 and saved["state"] == {"state": "war", "since": None, "item": None}
    assert list(saved["outcomes"]) == ["deal", "ceasefire", "frozen", "war"]
    assert sum(v["mean"] for v in saved["outcomes"].values()) == pytest.approx(1.0, abs=1e-6)
    for key, value in saved["outcomes"].items():
        assert 0 <= value["low"] <= value["mean"] <= value["high"] <= 1
        curve = saved["curves"][key]
        assert curve[0]["date"] == "2025-11-26" and curve[-1]["date"] == "2026-12-31"
        assert curve[-1]["mean"] == pytest.approx(value["mean"])
        assert all(
            (date.fromisoformat(b["date"]) - date.fromisoformat(a["date"])).days <= 7
            for a, b in zip(curve, curve[1:], strict=False)
        )
    assert saved["curves"]["war"][0]["mean"] == pytest.approx(1.0)  # war is the state on the as-of date
    assert set(saved["drivers"]) == {
        "diplomacy",
        "russia_flexibility",
        "ukraine_flexibility",
        "military_momentum",
        "external_support",
    }
    assert len(saved["reference"]["hazards"]) == 8
    events = saved["evidence"]
    assert events and {i for e in events.values() for i in e["items"]} <= set(saved["evidence_items"])
    assert len(events["geneva-round"]["items"]) > 1  # reports of one event are one event
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 20251126
    assert {"priors/ukraine_2026.yaml", "kinds.yaml", "priors/reference/ucdp_prio_acd.csv"} <= set(manifest["inputs"])
    assert any(label.startswith("evidence/") for label in manifest["inputs"])
    idata = az.from_netcdf(run_dir / "posterior.nc")
    assert idata.posterior["x"].shape[-1] == 5


def test_same_seed_same_numbers(example_run, tmp_path):
    _, first = example_run
    _, again = run_forecast(config(tmp_path))
    assert again.outcomes == first.outcomes
    assert again.evidence == first.evidence
    assert again.run_id == first.run_id


def test_an_item_reported_after_the_as_of_date_changes_nothing(example_run, tmp_path):
    _, first = example_run
    _, again = run_forecast(
        config(tmp_path / "out", evidence=evidence_with(tmp_path / "evidence", "later.yaml", LATER_ITEM))
    )
    assert "hypothetical-summit" in again.excluded_after_as_of
    assert again.outcomes == first.outcomes and again.evidence == first.evidence


def test_items_are_used_by_report_date(tmp_path):
    run_dir, summary = run_forecast(config(tmp_path, as_of="2025-11-21"))
    assert summary.excluded_after_as_of
    assert all(meta.reported <= date(2025, 11, 21) for meta in summary.evidence_items.values())
    seed_003 = [i for i in summary.excluded_after_as_of if i in ("us-ukraine-20-point-plan", "dmitriev-miami-round")]
    assert len(seed_003) == 2  # the undated article describes December events: never used in November
    args = [
        "run",
        "--as-of",
        "2025-11-21",
        "--priors",
        str(QUESTION),
        "--evidence",
        str(REPO / "evidence"),
        "--out",
        str(tmp_path / "cli"),
        "--draws",
        "100",
        "--tune",
        "100",
        "--chains",
        "2",
        "--no-briefing",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"{len(summary.excluded_after_as_of)} reported after it left out" in result.output


def test_an_empty_evidence_folder_is_the_reference_class_forecast(tmp_path):
    empty = tmp_path / "evidence"
    empty.mkdir()
    _, summary = run_forecast(config(tmp_path / "out", evidence=empty))
    assert summary.evidence == {} and summary.evidence_items == {}
    for key, value in summary.outcomes.items():
        assert value.mean == pytest.approx(summary.reference.no_evidence[key].mean, abs=0.02)


def test_a_recorded_ceasefire_is_the_state_the_forecast_starts_from(tmp_path):
    evidence = evidence_with(tmp_path / "evidence", "ceasefire.yaml", CEASEFIRE)
    _, summary = run_forecast(config(tmp_path / "out", evidence=evidence))
    assert summary.state.state == "ceasefire" and summary.state.since == date(2025, 11, 20)
    assert summary.curves["ceasefire"][0].mean == pytest.approx(1.0)
    assert summary.outcomes["ceasefire"].mean > 0.8  # the reference class: ceasefires rarely collapse within a year
    assert "ceasefire-agreed" in summary.evidence_items and "ceasefire-agreed" not in summary.evidence


def test_existing_run_refuses_without_force_and_bad_input_writes_nothing(example_run, tmp_path):
    out = tmp_path / "out"
    runs = out / "ukraine-2026"
    shutil.copytree(example_run[0], runs / "2025-11-26")
    before = {p: p.read_bytes() for p in (runs / "2025-11-26").iterdir()}
    with pytest.raises(RunExists):
        run_forecast(config(out))
    bad = evidence_with(tmp_path / "evidence", "broken.yaml", "- id: x\n  date: 2025-11-20\n  kind: nonsense\n")
    with pytest.raises(InputError):
        run_forecast(config(out, evidence=bad, force=True))
    with pytest.raises(InputError):
        run_forecast(config(out, as_of="2025-11-25", evidence=bad))
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["ukraine-2026"]
    assert sorted(p.name for p in runs.iterdir()) == ["2025-11-26"]
    assert {p: p.read_bytes() for p in (runs / "2025-11-26").iterdir()} == before


def test_cli_run_bad_input_exits_1_without_traceback(tmp_path):
    bad = tmp_path / "evidence"
    bad.mkdir()
    (bad / "a.yaml").write_text(
        "id: x\ndate: 2025-11-20\nkind: talks_held\ntitle: t\nsource: s\nreliability: 2\n"
        "likelihood: {deal: 2, ceasefire: 1, frozen: 1, war: 0.5}\n"
    )
    args = [
        "run",
        "--as-of",
        "2025-11-26",
        "--priors",
        str(QUESTION),
        "--evidence",
        str(bad),
        "--out",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "a.yaml:6: reliability: must be in (0, 1]" in result.output
    assert "a.yaml:7: likelihood: `likelihood` (version 1) is retired" in result.output
    assert not (tmp_path / "out" / "ukraine-2026" / "2025-11-26").exists()


def test_an_as_of_date_outside_the_question_is_refused(tmp_path):
    with pytest.raises(InputError, match="outside the question's span"):
        run_forecast(config(tmp_path, as_of="2027-01-05"))


# Five runs two days apart, so each sees more of the example evidence (dated 19-26 Nov 2025).
DATES = run_dates(date(2025, 11, 18), date(2025, 11, 26), timedelta(days=2))


@pytest.mark.parametrize("text, days", [("7d", 7), ("1w", 7), ("14d", 14), (" 2W ", 14), ("1d", 1)])
def test_parse_every(text: str, days: int) -> None:
    assert parse_every(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["0d", "7", "d7", "7h", "", "-7d", "1.5w"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="7d, 1w or 14d"):
        parse_every(text)


def test_run_dates() -> None:
    week = timedelta(days=7)
    assert run_dates(date(2025, 1, 1), date(2025, 1, 15), week) == [date(2025, 1, d) for d in (1, 8, 15)]
    assert run_dates(date(2025, 1, 1), date(2025, 1, 14), week)[-1] == date(2025, 1, 8)
    assert run_dates(date(2025, 1, 1), date(2025, 1, 1), week) == [date(2025, 1, 1)]
    assert len(run_dates(date(2025, 1, 1), date(2025, 12, 31), week)) == 53
    with pytest.raises(ValueError, match="before"):
        run_dates(date(2025, 1, 8), date(2025, 1, 1), week)
    assert [date(2025, 11, d) for d in (18, 20, 22, 24, 26)] == DATES


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backfill")
    weeks = list(backfill(run_config(out, DATES[0]), DATES))
    assert [w.as_of for w in weeks] == DATES and all(w.skipped is None for w in weeks)
    return out


def test_backfill_equals_single_runs(backfilled: Path, tmp_path: Path) -> None:
    """One compiled model for all weeks gives exactly what a fresh model per run gives."""
    records = HistoryStore.beside(backfilled).records()
    assert [r.as_of for r in records] == [d.isoformat() for d in DATES]
    assert len({r.outcomes["war"].mean for r in records}) == len(DATES)  # the evidence differs week to week
    for record, as_of in zip(records, DATES, strict=True):
        _, single = run_forecast(run_config(tmp_path, as_of))  # compiles its own model
        assert record.outcomes == single.outcomes
        assert record.run_id == single.run_id and record.seed == int(as_of.strftime("%Y%m%d"))
        assert record.diagnostics == single.diagnostics


def test_recorded_weeks_are_skipped(backfilled: Path) -> None:
    before = HistoryStore.beside(backfilled).records()
    weeks = list(backfill(run_config(backfilled, DATES[0]), DATES))
    assert all(w.skipped and w.summary is None for w in weeks)
    assert HistoryStore.beside(backfilled).records() == before


def test_backfill_command(backfilled: Path) -> None:
    def invoke(every: str):
        return CliRunner().invoke(
            app,
            [
                "backfill",
                "--from",
                "2025-11-18",
                "--to",
                "2025-11-26",
                "--every",
                every,
                "--out",
                str(backfilled),
                "--priors",
                str(QUESTION),
                "--evidence",
                str(REPO / "evidence"),
                "--draws",
                "100",
                "--tune",
                "100",
            ],
        )

    result = invoke("2d")
    assert result.exit_code == 0, result.output
    assert "0 run(s) written, 5 skipped" in result.output
    bad = invoke("fortnightly")
    assert bad.exit_code == 2 and "7d, 1w or 14d" in bad.output


def test_benchmarks_are_loaded_and_hashed_as_inputs(tmp_path):
    folder = tmp_path / "benchmarks" / "2025-12"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "benchmarks" / "2025-12-09_polymarket.yaml", folder / "market.yaml")
    inputs = load_inputs(config(tmp_path / "out", "2025-12-10", benchmarks=tmp_path / "benchmarks"))
    assert [b.id for b in inputs.benchmarks] == ["polymarket-ceasefire-2025", "polymarket-ceasefire-2026-03-31"]
    digest = hashlib.sha256((folder / "market.yaml").read_bytes()).hexdigest()
    assert inputs.hashes["benchmarks/2025-12/market.yaml"] == digest
    none = load_inputs(config(tmp_path / "out", "2025-12-10", benchmarks=tmp_path / "nowhere"))
    assert none.benchmarks == [] and not any(k.startswith("benchmarks/") for k in none.hashes)


def test_every_backfilled_week_rewrites_the_archive_page(backfilled: Path) -> None:
    from forecast.report.archive import ARCHIVE_NAME

    html = (backfilled / ARCHIVE_NAME).read_text()
    for as_of in DATES:
        assert f"<tr><td>{as_of.isoformat()}</td>" in html


def test_a_run_records_sensitivity_and_signposts_and_the_briefing_shows_them(tmp_path: Path) -> None:
    folder, summary = run_forecast(run_config(tmp_path / "out", "2025-12-10", sensitivity=True, briefing=True))
    block, signposts = summary.sensitivity, summary.signposts
    assert block is not None and signposts is not None
    swings = [r.swing for r in block.rows]
    assert swings == sorted(swings, reverse=True) and block.outcome == "war"
    groups: dict[str, list] = {}
    for row in block.rows:
        groups.setdefault(row.group, []).append(row)
    question = load_inputs(run_config(tmp_path / "out", "2025-12-10")).question
    assert len(groups["reference"]) == 6 and all(r.cases[0].method == "exact" for r in groups["reference"])
    assert len(groups["link"]) == len(question.links.table) and all(len(r.cases) == 2 for r in groups["link"])
    assert [c.method for c in groups["drift"][0].cases] == ["refit", "refit"]
    for row in groups["cluster"]:  # taken from the run's attribution, not redone
        event = row.assumption.removeprefix("cluster: ")
        assert row.cases[0].change["war"] == pytest.approx(-summary.evidence[event].impact["war"])
    assert {"noise", "source"} <= set(groups)
    kinds = {m.kind for m in signposts.one_more}
    assert {"talks_held", "battlefield_gain"} <= kinds and not kinds & {"strike", "poll", "statement", "state_change"}
    assert signposts.pathway.target == "war" and set(signposts.pathway.states) == {"ceasefire", "frozen", "deal"}
    html = (folder / "briefing.html").read_text()
    assert "How much rests on each assumption" in html and "What to watch" in html
    assert "reference class: interstate" in html


TWO_READINGS = """\
- id: kremlin-readout-talks
  date: 2025-11-21
  kind: statement
  driver: diplomacy
  signal: 1.5
  title: One statement, read by one outlet as a push for talks
  source: outlet A
  reliability: high
  cluster: one-statement
- id: kremlin-readout-terms
  date: 2025-11-21
  kind: statement
  driver: russia_flexibility
  signal: 1.0
  title: The same statement, read by another as a softening of terms
  source: outlet B
  reliability: medium
  cluster: one-statement
"""


def test_a_cluster_reading_two_drivers_validates_and_runs_with_one_reading_per_driver(tmp_path):
    """`evidence validate` and `run` agree: the event gives two readings, reported under the one event."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "one-statement.yaml").write_text(TWO_READINGS)
    validated = CliRunner().invoke(app, ["evidence", "validate", str(evidence), "--priors", str(QUESTION)])
    assert validated.exit_code == 0 and "OK" in validated.output
    _, summary = run_forecast(config(tmp_path / "out", evidence=evidence))
    assert list(summary.evidence) == ["one-statement"]
    event = summary.evidence["one-statement"]
    assert sorted(event.items) == ["kremlin-readout-talks", "kremlin-readout-terms"]
    assert [(r.driver, r.signal) for r in event.readings] == [("diplomacy", 1.5), ("russia_flexibility", 1.0)]
    assert (event.driver, event.signal, event.reliability) == ("diplomacy", 1.5, 0.85)  # the strongest reading
    assert abs(event.impact["war"]) > 0
    Summary.model_validate_json(summary.model_dump_json())  # the schema holds it
