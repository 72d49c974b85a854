"""Benchmarks for the closing notes (not a test): run with `python scripts/benchmark.py`.

Measures
1. `forecast run` on the shipped example in a first process (cold PyTensor compile cache) and a
   second process (warm cache), without and with the briefing;
2. import time and model build + NUTS compile time in-process;
3. the fit alone on 100, 1,000 and 10,000 synthetic items (wall time, R-hat max, ESS min,
   divergences), and `forecast run` end to end on synthetic evidence folders of 100 and 10,000
   items, to compare against the 2x budget.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2025-11-26"


def timed_run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "forecast.cli", *args], check=True, env=env, cwd=REPO, capture_output=True)
    return time.perf_counter() - start


def synthetic_evidence(folder: Path, n_items: int, seed: int = 0) -> None:
    """n_items spread over the 30 days before AS_OF, mixed kinds, in files of 500 items."""
    kinds = yaml.safe_load((REPO / "forecast" / "kinds.yaml").read_text())
    names = sorted(kinds)
    rng = np.random.default_rng(seed)
    end = date.fromisoformat(AS_OF)
    items = []
    for j in range(n_items):
        kind = names[rng.integers(len(names))]
        item = {
            "id": f"synthetic-{j}",
            "date": (end - timedelta(days=int(rng.integers(0, 30)))).isoformat(),
            "kind": kind,
            "title": f"Synthetic {kind} {j}",
            "source": "benchmark",
            "reliability": float(np.round(rng.uniform(0.3, 1.0), 2)),
        }
        if kinds[kind]["profile"] is None or rng.random() < 0.3:
            item["likelihood"] = dict(
                zip(
                    ["deal", "ceasefire", "frozen", "war"],
                    np.round(np.exp(rng.normal(0, 0.3, 4)), 3).tolist(),
                    strict=True,
                )
            )
        items.append(item)
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n_items, 500):
        (folder / f"batch-{start:05d}.yaml").write_text(yaml.safe_dump(items[start : start + 500], sort_keys=False))


def fit_figures(n_items: int) -> dict:
    from forecast.model.inference import Forecaster, SamplerSettings
    from forecast.pipeline import RunConfig, load_inputs
    from forecast.results.posterior import diagnostics

    with tempfile.TemporaryDirectory() as tmp:
        synthetic_evidence(Path(tmp) / "evidence", n_items)
        inputs = load_inputs(
            RunConfig(as_of=date.fromisoformat(AS_OF), priors=REPO / "priors", evidence=Path(tmp) / "evidence")
        )
    settings = SamplerSettings()
    start = time.perf_counter()
    forecaster = Forecaster(inputs.question, inputs.arrays, settings)
    built = time.perf_counter() - start
    start = time.perf_counter()
    checks = diagnostics(forecaster.fit(inputs.arrays, seed=1))
    return {
        "items": n_items,
        "build_s": round(built, 2),
        "fit_s": round(time.perf_counter() - start, 2),
        "rhat_max": round(checks.rhat_max, 4),
        "ess_bulk_min": round(checks.ess_bulk_min),
        "divergences": checks.divergences,
    }


def main() -> None:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTENSOR_FLAGS": f"compiledir={tmp}/pytensor"}
        base = ["run", "--as-of", AS_OF, "--force"]
        results["run_example_first_process_s"] = round(timed_run([*base, "--out", f"{tmp}/a", "--no-briefing"], env), 2)
        results["run_example_second_process_s"] = round(
            timed_run([*base, "--out", f"{tmp}/a", "--no-briefing"], env), 2
        )
        results["run_example_with_briefing_s"] = round(timed_run([*base, "--out", f"{tmp}/b"], env), 2)
        for n in (100, 10_000):
            synthetic_evidence(Path(tmp) / f"ev{n}", n)
            args = [*base, "--out", f"{tmp}/o{n}", "--evidence", f"{tmp}/ev{n}", "--no-briefing"]
            results[f"run_{n}_items_s"] = round(timed_run(args, env), 2)
        results["run_10000_over_100"] = round(results["run_10000_items_s"] / results["run_100_items_s"], 2)

    start = time.perf_counter()
    import forecast.model.inference  # noqa: F401  (pymc, pytensor, arviz)

    results["import_s"] = round(time.perf_counter() - start, 2)
    results["fits"] = [fit_figures(n) for n in (100, 1_000, 10_000)]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
