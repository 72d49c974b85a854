"""A synthetic panel with known hazard ratios and a known half-life."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.calibration.events import CELLS
from forecast.calibration.panel import PANEL_YEARS, TRANSITIONS, Panel


def synthetic_panel(
    gamma: np.ndarray, half_life: float, conflicts: int = 300, months: int = 120, seed: int = 1
) -> Panel:
    """Conflicts at risk for ``months`` months, events of every cell at random, endings drawn from the model."""
    rng = np.random.default_rng(seed)
    k = len(CELLS)
    rows, gaps, ys = [], [], []
    base = np.log(np.array([0.004, 0.006, 0.01]))
    for c in range(conflicts):
        last = np.full(k, np.nan)
        for m in range(months):
            gap = np.where(np.isnan(last), np.nan, m - last - 1)
            e = np.where(np.isnan(gap), 0.0, 0.5 ** (np.nan_to_num(gap) / half_life))
            h = np.exp(base + e @ gamma)
            y = rng.poisson(h).clip(0, 1).astype(float)
            rows.append((c, c, 0, 1990 * 12 + m, 1990 + m // 12, 0, 0, False, np.nan, 1))
            gaps.append(gap)
            ys.append(y)
            if y.any():
                break
            happened = rng.random(k) < 0.03
            last = np.where(happened, m, last)
    frame = pd.DataFrame(
        rows,
        columns=[
            "conflict_id",
            "episode",
            "start_year",
            "month",
            "year",
            "age",
            "band",
            "interstate",
            "first_war_year",
            "intensity",
        ],
    )
    n = len(frame)
    assert len(TRANSITIONS) == 3
    return Panel(frame, np.array(gaps), np.array(ys), np.zeros((n, k)), pd.DataFrame(), PANEL_YEARS)
