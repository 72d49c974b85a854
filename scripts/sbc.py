"""Simulation-based calibration of the version-2 model (see :mod:`forecast.model.checks`).

PYTHONPATH=. python scripts/sbc.py --sims 100 --draws 300
"""

from __future__ import annotations

import argparse
import logging

import numpy as np

from forecast.model.checks import THIN, sbc_ranks, uniformity_p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sims", type=int, default=100)
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.getLogger("pymc").setLevel(logging.ERROR)
    ranks = sbc_ranks(args.sims, args.draws, args.seed)
    n_max = 2 * args.draws // THIN
    for name, values in ranks.items():
        counts, _ = np.histogram(values, bins=5, range=(0, n_max + 1))
        print(f"{name:28s} bins {counts.tolist()}  chi-square p = {uniformity_p(values, n_max):.3f}")


if __name__ == "__main__":
    main()
