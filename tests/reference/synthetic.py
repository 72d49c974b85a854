"""A tiny two-file dataset in the shipped CSV layout, with hand-countable hazards."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.reference.data import ACD_FILE, TERMINATION_FILE

# (c_epid, first year, last year, outcome coded in the last year or None if still active,
#  intensity by year offset, type_of_conflict)
EPISODES = [
    (101, 2000, 2002, 2, {}, 3),  # ceasefire, then recurrence in 2005
    (102, 2005, 2006, 5, {}, 3),  # low activity -> frozen, censored at 2010
    (201, 2001, 2003, 1, {1: 2, 2: 2}, 2),  # interstate, war from 2002, peace agreement, censored deal
    (301, 2004, 2010, None, {}, 3),  # active in the last year: censored
    (401, 2000, 2000, 3, {}, 3),  # victory: exit to "other"
    (402, 2008, 2009, 1, {}, 3),  # peace agreement, deal censored after one year
]


def synthetic_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Termination rows and ACD rows for ``EPISODES``."""
    term, acd = [], []
    for epid, first, last, outcome, intensity, kind in EPISODES:
        for year in range(first, last + 1):
            end = year == last
            term.append(
                {
                    "c_epid": epid,
                    "year": year,
                    "c_epterm": (1 if outcome is not None else None) if end else 0,
                    "c_outcome": outcome if end else None,
                }
            )
            acd.append(
                {
                    "conflict_id": epid // 100,
                    "year": year,
                    "intensity_level": intensity.get(year - first, 1),
                    "type_of_conflict": kind,
                    "start_date2": f"{first}-01-01",
                }
            )
    return pd.DataFrame(term), pd.DataFrame(acd)


def write_synthetic(directory: Path, term: pd.DataFrame | None = None, acd: pd.DataFrame | None = None) -> Path:
    """Write the two CSVs into ``directory`` and return it."""
    default_term, default_acd = synthetic_frames()
    directory.mkdir(parents=True, exist_ok=True)
    (default_term if term is None else term).to_csv(directory / TERMINATION_FILE, index=False)
    (default_acd if acd is None else acd).to_csv(directory / ACD_FILE, index=False)
    return directory
