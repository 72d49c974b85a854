"""End-to-end calibration on worlds simulated from the model (see :mod:`forecast.model.checks`).

PYTHONPATH=. python scripts/calibration.py --worlds 500 --draws 300
"""

from __future__ import annotations

import argparse
import logging

import numpy as np

from forecast.model.checks import brier, calibration_run, reliability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worlds", type=int, default=500)
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    logging.getLogger("pymc").setLevel(logging.ERROR)
    forecasts, prior, outcomes = calibration_run(args.worlds, args.draws, args.seed)
    counts = np.bincount(outcomes, minlength=4).tolist()
    print(f"worlds {args.worlds}; outcomes (war, ceasefire, frozen, deal) {counts}")
    print(f"Brier fitted {brier(forecasts, outcomes):.4f}  no-evidence {brier(prior, outcomes):.4f}")
    print("mean forecast  observed  binomial-se      n")
    for mean, observed, se, n in reliability(forecasts, outcomes):
        print(f"{mean:13.3f} {observed:9.3f} {se:12.3f} {n:6d}  z = {(observed - mean) / se:+.2f}")


if __name__ == "__main__":
    main()
