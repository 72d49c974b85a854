"""Helpers shared by the tests: the repository, sampler sizes and run configurations."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from forecast.inputs.load import load_question
from forecast.inputs.schema import Question
from forecast.model.settings import SamplerSettings
from forecast.run_inputs import RunConfig

REPO = Path(__file__).resolve().parents[1]
QUESTION = REPO / "priors" / "ukraine_2026.yaml"
TINY = SamplerSettings(draws=150, tune=150, chains=2)  # plumbing: files, history, reports
AS_OF = date(2025, 11, 26)


def run_config(out: Path, as_of: date | str = AS_OF, **kw: Any) -> RunConfig:
    """A run of the shipped example into ``out`` with tiny sampler settings, no briefing and no sensitivity
    block (its refits would dominate the suite; tests of it ask for it)."""
    settings = {
        "priors": REPO / "priors" / "ukraine_2026.yaml",
        "evidence": REPO / "evidence",
        "benchmarks": REPO / "benchmarks",
        "settings": TINY,
        "briefing": False,
        "sensitivity": False,
        **kw,
    }
    day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    return RunConfig(as_of=day, out=out, **settings)


def shipped_question() -> Question:
    return load_question(QUESTION)


DRIVERS = ("diplomacy", "russia_flexibility", "ukraine_flexibility", "military_momentum", "external_support")
DEFAULT_MEANS = {"deal": (0.08, 0.01, 0.22), "ceasefire": (0.10, 0.03, 0.21), "frozen": (0.18, 0.09, 0.30),
                 "war": (0.64, 0.51, 0.75)}  # fmt: skip
# id, date, kind, title, source, reliability, cluster, driver, impact (deal, ceasefire, frozen, war)
Item = tuple[str, str, str, str, str, float, "str | None", str, tuple[float, float, float, float]]


def summary_document(
    as_of: str = "2025-11-26",
    means: dict[str, tuple[float, float, float]] | None = None,
    items: list[Item] | None = None,
    question: dict[str, Any] | None = None,
    **diagnostics: Any,
) -> dict[str, Any]:
    """A complete, realistic ``summary.json`` (version 2) for report and history tests.

    Items reported on or before ``as_of`` are used, later ones are listed as left out; reports sharing
    a cluster are one event, whose impact is its first report's. Curves run weekly from the state at
    the as-of date (war) straight to the horizon's chances.
    """
    means = means or DEFAULT_MEANS
    question = question or shipped_question().model_dump(mode="json")
    horizon = date.fromisoformat(question["horizon"])
    day = date.fromisoformat(as_of)
    weeks = [day + timedelta(days=7 * k) for k in range((horizon - day).days // 7 + 1)]
    weeks = weeks if weeks[-1] == horizon else [*weeks, horizon]
    span = (horizon - day).days or 1

    def point(outcome: str, when: date) -> dict[str, Any]:
        start = 1.0 if outcome == "war" else 0.0
        share = (when - day).days / span
        m, lo, hi = (start + share * (v - start) for v in means[outcome])
        return {"date": when.isoformat(), "mean": m, "low": min(lo, m), "high": max(hi, m)}

    used = [it for it in (items or []) if it[1] <= as_of]
    events: dict[str, dict[str, Any]] = {}
    for it in used:
        event = it[6] or it[0]
        if event in events:
            events[event]["items"].append(it[0])
            continue
        events[event] = {
            "items": [it[0]],
            "driver": it[7],
            "signal": 0.5,
            "reliability": it[5],
            "date": it[1],
            "impact": dict(zip(("deal", "ceasefire", "frozen", "war"), it[8], strict=True)),
            "pareto_k": 0.2,
            "refitted": False,
        }
    checks = {
        "rhat_max": 1.003,
        "ess_bulk_min": 812.0,
        "divergences": 0,
        "warnings": [],
        "sampler": "NUTS (PyMC)",
        "chains": 4,
        "draws": 1000,
        "tune": 500,
        "seed": 20251126,
        **diagnostics,
    }
    hazard = {"events": 11, "exposure": 914.0, "mean": 0.0126, "low": 0.0072, "high": 0.0192}
    return {
        "schema_version": 2,
        "run_id": f"{as_of}-3f9a1c2b",
        "as_of": as_of,
        "horizon": horizon.isoformat(),
        "question": question,
        "interval": 0.9,
        "state": {"state": "war"},
        "outcomes": {k: {"mean": m, "low": lo, "high": hi} for k, (m, lo, hi) in means.items()},
        "curves": {k: [point(k, w) for w in weeks] for k in means},
        "drivers": {
            d: {
                "description": f"{d} described",
                "level": {"mean": 0.3 * k, "low": -0.5, "high": 0.9},
                "change": {"mean": 0.1 * k, "low": -0.4, "high": 0.6},
                "trend": ("steady", "rising", "falling")[k % 3],
            }
            for k, d in enumerate(DRIVERS)
        },
        "reference": {
            "reference_class": "long_wars",
            "mismatch": 2.0,
            "data_last_year": 2024,
            "hazards": {
                t: hazard
                for t in (
                    "war->ceasefire",
                    "war->deal",
                    "war->frozen",
                    "ceasefire->war",
                    "ceasefire->deal",
                    "frozen->war",
                    "frozen->deal",
                    "deal->war",
                )
            },
            "no_evidence": {
                "war": {"mean": 0.93, "low": 0.86, "high": 0.97},
                "ceasefire": {"mean": 0.016, "low": 0.003, "high": 0.04},
                "frozen": {"mean": 0.029, "low": 0.007, "high": 0.07},
                "deal": {"mean": 0.025, "low": 0.007, "high": 0.06},
            },
        },
        "diagnostics": checks,
        "evidence": events,
        "evidence_items": {
            it[0]: {
                "date": it[1],
                "reported": it[1],
                "kind": it[2],
                "title": it[3],
                "source": it[4],
                "reliability": it[5],
                "cluster": it[6],
                "driver": it[7],
                "signal": 0.5,
                "event": it[6] or it[0],
                "file": f"evidence/2025-11/{it[0]}.yaml",
            }
            for it in used
        },
        "excluded_after_as_of": [it[0] for it in (items or []) if it[1] > as_of],
    }


def manifest_document(as_of: str) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "seed": 20251126,
        "command": f"forecast run --as-of {as_of}",
        "inputs": {
            "priors/ukraine_2026.yaml": "a" * 64,
            "evidence/2025-11/geneva.yaml": "0123456789abcdef" * 4,
            "kinds.yaml": "f" * 64,
        },
        "versions": {"forecast": "0.2.0", "python": "3.11.7", "pymc": "5.28.5", "arviz": "0.23.4"},
        "sampler": {"chains": 4, "draws": 1000, "tune": 500},
    }


CEASEFIRE = """\
- id: ceasefire-agreed
  date: 2025-11-20
  kind: state_change
  state: ceasefire
  title: A general ceasefire takes effect along the line of contact
  source: test
  reliability: confirmed
"""


def evidence_with(folder: Path, name: str, text: str) -> Path:
    """The shipped evidence plus one extra file, in ``folder``."""
    shutil.copytree(REPO / "evidence", folder)
    (folder / name).write_text(text)
    return folder
