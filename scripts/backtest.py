"""Run the reference-class backtest and write backtest.json / backtest.html."""

from __future__ import annotations

import argparse
from pathlib import Path

from forecast.reference.backtest import run_backtest, verdict, write_backtest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="directory with the two UCDP CSVs")
    parser.add_argument("--out", type=Path, default=Path("out/backtest"))
    parser.add_argument("--first-origin", type=int, default=1975)
    args = parser.parse_args()
    result = run_backtest(args.data, first_origin=args.first_origin)
    paths = write_backtest(result, args.out)
    print(verdict(result))
    print(*paths, sep="\n")


if __name__ == "__main__":
    main()
