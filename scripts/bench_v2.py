"""Timings of the version-2 model: compile, and warm fits for 0, 60, 100 and 10,000 readings.

PYTHONPATH=. python scripts/bench_v2.py
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import numpy as np

from forecast.model.checks import AS_OF, START, spec_for_checks
from forecast.model.fit import Forecaster
from forecast.model.readings import Item, empty_readings
from forecast.results.posterior import sampler_checks


def random_items(n: int, driver_ids: tuple[str, ...], rng: np.random.Generator) -> list[Item]:
    """n readings spread over the year before the as-of date, on random drivers."""
    return [
        Item(f"i{k}", START + timedelta(days=int(rng.integers(0, 370))), START, str(rng.choice(driver_ids)),
             float(rng.normal(0, 1)), 0.5, 0.7)
        for k in range(n)
    ]  # fmt: skip


def main() -> None:
    logging.getLogger("pymc").setLevel(logging.ERROR)
    spec = spec_for_checks()
    start = time.perf_counter()
    forecaster = Forecaster(spec)
    print(f"compile {time.perf_counter() - start:.1f} s  ({spec.weeks} weeks x {spec.n_drivers} drivers)")
    rng = np.random.default_rng(1)
    forecaster.fit(empty_readings(), seed=0)  # warm-up
    for n in (0, 60, 100, 10_000):
        evidence = forecaster.readings(random_items(n, spec.driver_ids, rng), AS_OF)
        start = time.perf_counter()
        idata = forecaster.fit(evidence, seed=1)
        elapsed = time.perf_counter() - start
        rhat, ess, divergences, _ = sampler_checks(idata)
        steps = float(idata.sample_stats["n_steps"].mean())
        print(f"{n:6d} readings: fit {elapsed:5.1f} s  rhat max {rhat:.4f}  ess min {ess:6.0f}  "
              f"divergences {divergences}  leapfrog/draw {steps:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
