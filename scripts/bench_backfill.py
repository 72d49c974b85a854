"""Time a year of weekly runs: a 52-week backfill (model compiled once) against one fresh `forecast run`.

Evidence is synthetic (about five items a week of mixed kinds, spread over a year) with the
repo's question and kind catalogue. Sampling only (no briefing) unless noted; the briefing's
extra cost is measured once, separately. Each figure is wall-clock seconds and, in brackets,
CPU seconds, which other load on the machine does not inflate. Usage:

    python scripts/bench_backfill.py [--weeks 52] [--per-week 5] [--draws 1000 --tune 1000 --chains 2]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import yaml
from forecast.backfill import backfill
from forecast.model.inference import SamplerSettings

from forecast.pipeline import RunConfig

REPO = Path(__file__).resolve().parents[1]
FIRST = date(2025, 1, 1)
OUTCOMES = ("deal", "ceasefire", "frozen", "war")
KINDS = {  # kind -> magnitude range (None: the kind's default scale)
    "talks_held": None,
    "talks_delayed": (3, 21),
    "proposal": None,
    "battlefield_gain": (100, 900),
    "strike": None,
    "security_guarantee": None,
    "sanctions": None,
    "mediation": None,
    "statement": None,
}


def write_evidence(folder: Path, weeks: int, per_week: int, rng: random.Random) -> int:
    """One YAML file per week, ``per_week`` items dated inside it; returns the number of items."""
    for week in range(weeks):
        items = []
        for j in range(per_week):
            kind = rng.choice(sorted(KINDS))
            item = {
                "id": f"w{week:02d}-{j}-{kind.replace('_', '-')}",
                "date": FIRST + timedelta(days=7 * week + rng.randrange(7)),
                "kind": kind,
                "title": f"Synthetic {kind} {week}.{j}",
                "source": "bench",
                "reliability": rng.choice(["low", "medium", "high", "confirmed"]),
            }
            if kind == "statement":
                item["likelihood"] = {o: round(rng.uniform(0.85, 1.2), 2) for o in OUTCOMES}
            elif KINDS[kind]:
                item["magnitude"] = rng.randint(*KINDS[kind])
            items.append(item)
        (folder / f"week-{week:02d}.yaml").write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    return weeks * per_week


def clock() -> tuple[float, float]:
    """(wall, CPU of this process) seconds."""
    return time.perf_counter(), time.process_time()


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a child process."""

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    wall, before = time.perf_counter(), cpu()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - wall, cpu() - before


def mean(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(w for w, _ in pairs) / len(pairs), sum(c for _, c in pairs) / len(pairs)


def show(pair: tuple[float, float]) -> str:
    return f"{pair[0]:8.1f} s ({pair[1]:7.1f} s CPU)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--per-week", type=int, default=5)
    defaults = SamplerSettings()
    parser.add_argument("--draws", type=int, default=defaults.draws)
    parser.add_argument("--tune", type=int, default=defaults.tune)
    parser.add_argument("--chains", type=int, default=defaults.chains)
    args = parser.parse_args()
    settings = SamplerSettings(draws=args.draws, tune=args.tune, chains=args.chains)

    tmp = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
    try:
        evidence = tmp / "evidence"
        evidence.mkdir()
        n_items = write_evidence(evidence, args.weeks, args.per_week, random.Random(2025))
        dates = [FIRST + timedelta(days=6 + 7 * w) for w in range(args.weeks)]  # each week's last day
        template = RunConfig(
            as_of=dates[0],
            priors=REPO / "priors",
            evidence=evidence,
            out=tmp / "backfill",
            settings=settings,
            briefing=False,
        )
        print(
            f"{args.weeks} weeks, {n_items} synthetic items, {args.chains} chains x {args.draws} draws "
            f"+ {args.tune} tune, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
            flush=True,
        )

        start = last = clock()
        per_week = []
        for week in backfill(template, dates):
            now = clock()
            per_week.append((now[0] - last[0], now[1] - last[1]))
            last = now
            print(f"  {week.as_of}  {show(per_week[-1])}  {len(week.summary['evidence'])} items", flush=True)
        total = (last[0] - start[0], last[1] - start[1])

        cli = [
            str(Path(sys.executable).with_name("forecast")),
            "run",
            "--as-of",
            dates[-1].isoformat(),
            "--priors",
            str(REPO / "priors"),
            "--evidence",
            str(evidence),
            "--out",
            str(tmp / "single"),
            "--draws",
            str(args.draws),
            "--tune",
            str(args.tune),
            "--chains",
            str(args.chains),
        ]
        single = timed([*cli, "--no-briefing"])
        with_briefing = timed([*cli, "--force"])
        report = timed([cli[0], "report", str(tmp / "single" / dates[-1].isoformat())])

        later = per_week[1:]
        print(f"backfill total            {show(total)}  ({total[0] / 60:.1f} min, {args.weeks} runs)")
        print(f"first week (with compile) {show(per_week[0])}")
        if later:
            walls = [w for w, _ in later]
            print(f"later weeks, mean         {show(mean(later))}  (wall min {min(walls):.1f}, max {max(walls):.1f})")
            print(f"later weeks, last 10 mean {show(mean(later[-10:]))}")
        print(f"single `forecast run --no-briefing`, fresh process  {show(single)}")
        print(f"same with briefing (HTML+PDF), fresh process        {show(with_briefing)}")
        print(f"`forecast report` alone (re-render), fresh process  {show(report)}")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
