"""Benchmark files: every problem located as file:line: field, by the loader and by the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.inputs.load import load_benchmarks
from tests.helpers import QUESTION, REPO, shipped_question

BAD = """\
- id: market-ceasefire
  source: Polymarket
  question: "Ceasefire by March 31, 2026?"
  url: https://example.org/market
  seen: 2025-12-09
  probability: 1.5
  outcomes: [ceasefire, deal]
  by: 2026-03-31
  match: loose
  differences: any announced ceasefire counts
- id: market-surrender
  source: Polymarket
  question: "Surrender?"
  url: https://example.org/other
  seen: 2025-12-09
  probability: 0.1
  outcomes: [surrender]
  by: 2026-03-31
  match: roughly
  differences: none
"""


def line_of(text: str, start: str, after: int = 0) -> int:
    """The 1-based number of the first line starting with ``start`` after line ``after``."""
    return next(i for i, row in enumerate(text.splitlines(), 1) if i > after and row.strip().startswith(start))


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    path = folder / "2025-12-09_market.yaml"
    path.write_text(BAD)
    return path


def test_every_bad_field_is_named_with_its_file_and_line(bad_file: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_benchmarks(bad_file.parent, shipped_question())
    located = {(p.path, p.line, p.field) for p in caught.value.problems}
    second = line_of(BAD, "- id: market-surrender")
    assert (str(bad_file), line_of(BAD, "probability:"), "probability") in located
    assert (str(bad_file), line_of(BAD, "outcomes:", second), "outcomes") in located
    assert (str(bad_file), line_of(BAD, "match:", second), "match") in located


def test_a_date_outside_the_question_is_located(bad_file: Path) -> None:
    bad_file.write_text(
        BAD.split("- id: market-surrender")[0].replace("1.5", "0.2").replace("2026-03-31", "2030-01-01")
    )
    with pytest.raises(InputError, match=rf"{bad_file.name}:8: by: 2030-01-01 is outside the question's span"):
        load_benchmarks(bad_file.parent, shipped_question())


def test_the_cli_reports_file_line_field_and_exits_1(bad_file: Path) -> None:
    result = CliRunner().invoke(app, ["benchmarks", "validate", str(bad_file.parent), "--priors", str(QUESTION)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad_file}:{line_of(BAD, 'probability:')}: probability:" in result.output
    missing = CliRunner().invoke(app, ["benchmarks", "validate", str(bad_file.parent / "nowhere")])
    assert missing.exit_code == 1 and "no such file or folder" in missing.output


def test_the_shipped_benchmarks_validate() -> None:
    result = CliRunner().invoke(
        app,
        ["benchmarks", "validate", str(REPO / "benchmarks"), "--priors", str(QUESTION)],
    )
    assert result.exit_code == 0, result.output
    assert "2 benchmarks" in result.output
