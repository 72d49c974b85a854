"""Benchmarks of the version-2 pipeline (figures for the README and the issue notes; not a test).

    python scripts/benchmark.py runs      # `forecast run` of the example as a process: cold and warm
    python scripts/benchmark.py items     # 100 vs 10,000 synthetic items: fit time, R-hat, divergences
    python scripts/benchmark.py backfill  # a 52-week backfill, model compiled once (--sampler nutpie)
    python scripts/benchmark.py score     # `forecast score` and the archive page on 52 synthetic runs
    python scripts/benchmark.py portfolio # `forecast run` of both shipped questions against one alone

Every figure but ``portfolio`` is of the 2026 question (``--question ukraine-2026``), fitted on the
grid it shares with the 2027 question.

Synthetic items are readings of random drivers (signal ~ N(0, 0.7), sd 0.6, mixed reliability)
spread over the weeks before the as-of date, with the repository's question and catalogues.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import yaml

from forecast.horizon import compile_forecaster
from forecast.inputs.schema import DRIVER_IDS
from forecast.model.settings import SamplerSettings
from forecast.pipeline import backfill, run_dates, run_forecast
from forecast.run_inputs import RunConfig, load_inputs

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 11, 26)
QUESTION = "ukraine-2026"
PRIORS = REPO / "priors" / "ukraine_2026.yaml"


def write_items(folder: Path, n: int, first: date, last: date, seed: int = 0) -> None:
    """``n`` synthetic statement items dated (and reported) between ``first`` and ``last``."""
    rng = np.random.default_rng(seed)
    days = (last - first).days
    items = [
        {"id": f"synthetic-{k}", "date": (first + timedelta(days=int(rng.integers(0, days + 1)))).isoformat(),
         "kind": "statement", "title": f"Synthetic reading {k}", "source": "benchmark",
         "reliability": float(np.round(rng.uniform(0.3, 1.0), 2)), "driver": str(rng.choice(DRIVER_IDS)),
         "signal": float(np.round(np.clip(rng.normal(0, 0.7), -2.5, 2.5), 2))}
        for k in range(n)
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "synthetic.yaml").write_text(yaml.safe_dump(items, sort_keys=False))


def timed_process(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("forecast")), *args],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def runs(repeats: int, sampler: str = "pymc") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = ["run", "--as-of", AS_OF.isoformat(), "--question", QUESTION, "--out", str(Path(tmp) / "out"), "--force"]
        base += ["--sampler", sampler]
        cold_env = os.environ | {"PYTENSOR_FLAGS": f"compiledir={tmp}/pytensor"}
        print(f"cold (empty compile cache), with briefing: {timed_process(base, cold_env):.1f} s")
        for label, extra in (("warm, with briefing", []), ("warm, no briefing", ["--no-briefing"])):
            times = sorted(timed_process(base + extra, dict(os.environ)) for _ in range(repeats))
            print(f"{label}: median {times[len(times) // 2]:.1f} s (min {times[0]:.1f}, max {times[-1]:.1f})")


def items(counts: list[int]) -> None:
    logging.getLogger("pymc").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            folder = Path(tmp) / f"e{n}"
            write_items(folder, n, date(2025, 9, 8), AS_OF)
            config = RunConfig(as_of=AS_OF, evidence=folder, out=Path(tmp) / f"o{n}", briefing=False, question=QUESTION)
            start = time.perf_counter()
            inputs = load_inputs(config)
            loaded = time.perf_counter()
            forecaster = compile_forecaster(inputs, config.settings)
            compiled = time.perf_counter()
            _, summary = run_forecast(config, forecaster=forecaster, inputs=inputs)
            done = time.perf_counter()
            d = summary.diagnostics
            print(
                f"{n:>6} items: load {loaded - start:.1f} s, compile {compiled - loaded:.1f} s, "
                f"fit + forecast + attribution + write {done - compiled:.1f} s; R-hat {d.rhat_max:.3f}, "
                f"ESS {d.ess_bulk_min:.0f}, divergences {d.divergences}, P(war) {summary.outcomes['war'].mean:.3f}"
            )


def year_of_weeks(weeks: int, per_week: int, sampler: str = "pymc") -> None:
    logging.getLogger("pymc").setLevel(logging.ERROR)
    first = date(2025, 11, 24)
    dates = run_dates(first, first + timedelta(weeks=weeks - 1), timedelta(days=7))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "evidence"
        write_items(folder, weeks * per_week, date(2025, 9, 8), dates[-1])
        settings = SamplerSettings(sampler="nutpie" if sampler == "nutpie" else "pymc")
        template = RunConfig(
            as_of=dates[0],
            evidence=folder,
            out=Path(tmp) / "out",
            briefing=False,
            sensitivity=False,
            question=QUESTION,
            settings=settings,
        )
        start = time.perf_counter()
        laps = []
        for _week in backfill(template, dates):
            laps.append(time.perf_counter())
        total = laps[-1] - start
        steps = np.diff([start, *laps])
        print(
            f"{weeks}-week backfill ({weeks * per_week} items, {sampler}): {total:.0f} s; first week {steps[0]:.1f} s "
            f"(with compile), later weeks median {np.median(steps[1:]):.1f} s, max {steps[1:].max():.1f} s"
        )
        shutil.rmtree(folder)


def score_history(weeks: int) -> None:
    """``weeks`` fake run folders and history rows (no sampling), resolved; time scoring and the archive."""
    sys.path.insert(0, str(REPO))
    from forecast.analysis.scorecard import score_question
    from forecast.report.archive import write_archive
    from forecast.store.resolutions import record_resolution
    from tests.fake_runs import fake_run
    from tests.helpers import shipped_question

    rng = np.random.default_rng(0)
    question = shipped_question()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports"
        for k in range(weeks):
            p = rng.dirichlet([1, 1, 2, 6])
            fake_run(out, (date(2025, 11, 24) + timedelta(weeks=k)).isoformat(), tuple(float(v) for v in p))
        record_resolution(out, question, "war", question.horizon)
        record_resolution(out, question, "war", date(2025, 12, 31))
        marks = REPO / "benchmarks"
        start = time.perf_counter()
        card = score_question(out, PRIORS, marks)
        scored = time.perf_counter()
        write_archive(out, marks)
        archived = time.perf_counter()
        args = [
            "score",
            "--out",
            str(out),
            "--priors",
            str(PRIORS),
            "--benchmarks",
            str(marks),
        ]
        process = timed_process(args, dict(os.environ))
        print(
            f"{weeks} runs, {len(card.benchmarks)} benchmark(s) scored: score_question {scored - start:.2f} s, "
            f"archive page {archived - scored:.2f} s ({(out / 'index.html').stat().st_size / 1024:.0f} KiB); "
            f"`forecast score` as a process (with the archive) {process:.1f} s"
        )


def portfolio(repeats: int) -> None:
    """Warm ``forecast run`` of both questions (one fit) against the 2026 question alone."""
    with tempfile.TemporaryDirectory() as tmp:
        base = ["run", "--as-of", AS_OF.isoformat(), "--out", str(Path(tmp) / "out"), "--force"]
        timed_process([*base, "--question", QUESTION], dict(os.environ))  # fill the compile cache
        for label, extra in (("one question (ukraine-2026)", ["--question", QUESTION]), ("both questions", [])):
            times = sorted(timed_process(base + extra, dict(os.environ)) for _ in range(repeats))
            spread = f"min {times[0]:.1f}, max {times[-1]:.1f}"
            print(f"{label}, with briefing: median {times[len(times) // 2]:.1f} s ({spread})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["runs", "items", "backfill", "score", "portfolio"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--per-week", type=int, default=5)
    parser.add_argument("--sampler", choices=["pymc", "nutpie"], default="pymc")
    args = parser.parse_args()
    if args.what == "runs":
        runs(args.repeats, args.sampler)
    elif args.what == "portfolio":
        portfolio(args.repeats)
    elif args.what == "score":
        score_history(args.weeks)
    elif args.what == "items":
        items([100, 10_000])
    else:
        year_of_weeks(args.weeks, args.per_week, args.sampler)


if __name__ == "__main__":
    main()
