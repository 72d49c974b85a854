"""Run folders and history rows with chosen probabilities, written without sampling (scoring, archive)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from forecast.results.summary import Manifest, Summary
from forecast.store.runs import write_run
from tests.helpers import manifest_document, summary_document

OUTCOMES = ("deal", "ceasefire", "frozen", "war")
# Three runs, probabilities (deal, ceasefire, frozen, war) chosen for hand-computed scores.
THREE_RUNS = {
    "2025-11-26": (0.10, 0.20, 0.30, 0.40),
    "2025-12-03": (0.05, 0.15, 0.20, 0.60),
    "2025-12-10": (0.00, 0.50, 0.25, 0.25),
}


def fake_run(
    out: Path,
    as_of: str,
    probabilities: tuple[float, ...],
    question: dict[str, Any] | None = None,
    briefing: bool = True,
) -> Path:
    """A run folder (summary, manifest, empty posterior, stub briefing files) and its history row."""
    means = {k: (p, max(p - 0.05, 0.0), min(p + 0.05, 1.0)) for k, p in zip(OUTCOMES, probabilities, strict=True)}
    summary = Summary.model_validate(summary_document(as_of, means=means, question=question))
    manifest = Manifest.model_validate(manifest_document(as_of))

    def render(folder: Path, _history: object) -> None:
        (folder / "briefing.html").write_text("<html></html>")
        (folder / "briefing.pdf").write_bytes(b"%PDF-1.4")

    return write_run(out, summary, manifest, lambda p: p.write_bytes(b""), render if briefing else None)


def three_runs(out: Path, question: dict[str, Any] | None = None) -> list[Path]:
    return [fake_run(out, day, p, question) for day, p in THREE_RUNS.items()]


def write_benchmarks(folder: Path, entries: list[dict[str, Any]]) -> Path:
    """A benchmarks folder holding ``entries`` (defaults filled in)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = {
        "question_id": "ukraine-2026",
        "source": "Polymarket",
        "question": "Ceasefire by the date?",
        "url": "https://example.org/market",
        "outcomes": ["ceasefire", "deal"],
        "match": "loose",
        "differences": "counts any announced ceasefire",
    }
    docs = [{**base, "outcomes": list(base["outcomes"]), **e} for e in entries]  # no shared list: no YAML alias
    for d in docs:
        for key in ("seen", "by"):
            d[key] = str(d[key])
    (folder / "marks.yaml").write_text(yaml.safe_dump(docs, sort_keys=False))
    return folder
