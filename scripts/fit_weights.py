"""Regenerate the shipped ``priors/reference/evidence_weights.json`` (fixed seed).

PYTHONPATH=. python scripts/fit_weights.py [--draws 400] [--tune 400] [--out priors/reference/evidence_weights.json]
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from forecast.calibration.weights import fit_weights, weights_path
from forecast.results.summary import write_atomic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--tune", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20260515)
    parser.add_argument("--out", type=Path, default=weights_path())
    args = parser.parse_args()
    for name in ("pymc", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)
    start = time.time()
    weights = fit_weights(draws=args.draws, tune=args.tune, seed=args.seed, progress=print)
    write_atomic(args.out, (weights.model_dump_json(indent=2) + "\n").encode())
    print(f"wrote {args.out} in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
