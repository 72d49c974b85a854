"""The conflict-month panel: every month an episode is at war, its age band, intensity, endings and events.

- **At risk** from the episode's start month (ACD ``start_date2``; January of the first year when the
  episode began in an earlier ACD episode, as the one split of conflict 234) to its ending month (ACD
  ``ep_end_date`` of its last year; December of that year where the ACD has no date, the 53 rows where
  the ACD and the termination data disagree). An episode still active in the last data year is censored
  at December of the year before (its ending is not known yet, as in ``forecast.reference``).
- **Endings**: ``war->deal`` (c_outcome 1), ``war->ceasefire`` (2), ``war->frozen`` (5) in the ending
  month; victories, actor ceases and uncoded endings leave the risk set as competing risks.
- **Age** is completed calendar years since the episode's first year (as the reference class), so the
  class filters (``min_age_years``, first war year, interstate) cut the panel exactly as they cut the
  reference class's years.
- **Events**: for each kind cell, ``gap(t)`` = months from the month after the latest earlier event to
  month t; ``e(t) = 0.5 ** (gap / half_life)``, 1 in the month right after the event's month. An event
  never counts in or before its own month, so an event in the ending's own month is not credited with it.
- **Years**: 1990-2020 by default, the span all sources cover (CF 1989-2020, PA-X from 1990), except
  CWM mediation (to 2011): after 2011 the mediation covariate is 0 and an ``uncovered`` indicator with its
  own coefficient takes the months, so uncoded mediation does not pass for no mediation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.calibration.events import CELLS, events_before
from forecast.reference.classes import ReferenceFilters
from forecast.reference.data import ReferenceData, build_episodes, episode_keys, information_at
from forecast.reference.hazards import AGE_BANDS
from forecast.states import transition_label

PANEL_YEARS: tuple[int, int] = (1990, 2020)
TRANSITIONS: tuple[str, ...] = tuple(transition_label(("war", s)) for s in ("deal", "ceasefire", "frozen"))
TARGETS: dict[str, str] = {"war->deal": "deal", "war->ceasefire": "ceasefire", "war->frozen": "frozen"}
N_BANDS = len(AGE_BANDS)


@dataclass
class Panel:
    """Rows = episode-months at risk; ``gaps`` rows x cells (NaN: no earlier event); ``y`` rows x transitions."""

    rows: pd.DataFrame
    gaps: np.ndarray
    y: np.ndarray
    uncovered: np.ndarray  # rows x cells, 1 where the cell's source does not cover the month
    events: pd.DataFrame  # the events used (dated before the information date)
    years: tuple[int, int]
    cells: tuple[str, ...] = field(default_factory=lambda: tuple(c.key for c in CELLS))

    def e(self, half_life: float) -> np.ndarray:
        """Fading presence of each kind cell: 0.5 ** (gap / half_life), 0 without an earlier event."""
        with np.errstate(invalid="ignore"):
            out = np.where(np.isnan(self.gaps), 0.0, 0.5 ** (np.nan_to_num(self.gaps) / half_life))
        return np.where(self.uncovered > 0, 0.0, out)

    def subset(self, mask: np.ndarray) -> Panel:
        return Panel(
            self.rows[mask].reset_index(drop=True),
            self.gaps[mask],
            self.y[mask],
            self.uncovered[mask],
            self.events,
            self.years,
            self.cells,
        )

    @property
    def base_cell(self) -> np.ndarray:
        """Baseline cell per row: age band x intensity (0 minor, 1 war)."""
        return (self.rows["band"].to_numpy() * 2 + (self.rows["intensity"].to_numpy() - 1)).astype(int)

    def summary(self) -> dict[str, object]:
        return {
            "years": list(self.years),
            "months_at_risk": int(len(self.rows)),
            "conflicts": int(self.rows["conflict_id"].nunique()),
            "episodes": int(self.rows["episode"].nunique()),
            "endings": {t: int(self.y[:, i].sum()) for i, t in enumerate(TRANSITIONS)},
        }

    def event_counts(self) -> dict[str, tuple[int, int]]:
        """Per cell: (events dated in an at-risk, covered month of the panel, distinct conflicts with one)."""
        keys = self.rows[["conflict_id", "month"]].drop_duplicates()
        hits = self.events.merge(keys, on=["conflict_id", "month"], how="inner")
        out: dict[str, tuple[int, int]] = {}
        for c in CELLS:
            h = hits[
                (hits["cell"] == c.key) & (hits["month"] // 12 <= c.last_year) & (hits["month"] // 12 >= c.first_year)
            ]
            out[c.key] = (int(len(h)), int(h["conflict_id"].nunique()))
        return out


def _band_index(age: np.ndarray) -> np.ndarray:
    out = np.zeros(len(age), dtype=int)
    for i, (low, _, _) in enumerate(AGE_BANDS):
        out[age >= low] = i
    return out


def episode_months(data: ReferenceData) -> pd.DataFrame:
    """Episodes (``build_episodes``) with start and stop months and the ending month if the ending is known."""
    episodes = build_episodes(data)
    years = data.years.copy()
    years["episode"] = episode_keys(years)
    g = years.sort_values("year").groupby("episode")
    first = g.first()[["conflict_id", "year", "start_date2"]].rename(columns={"year": "start_year"})
    last = g.last()[["year", "ep_end_date"]].rename(columns={"year": "end_year_acd"})
    dates = first.join(last).reset_index()
    episodes = episodes.merge(dates, on=["conflict_id", "start_year"], how="left", validate="one_to_one")
    start = pd.to_datetime(episodes["start_date2"], errors="coerce")
    start_month = np.where(
        start.dt.year == episodes["start_year"], start.dt.year * 12 + start.dt.month - 1, episodes["start_year"] * 12
    )
    end = pd.to_datetime(episodes["ep_end_date"].replace("", None), errors="coerce")
    dated = end.notna() & (end.dt.year == episodes["end_year"])
    end_month = np.where(dated, end.dt.year * 12 + end.dt.month - 1, episodes["end_year"] * 12 + 11)
    censored = episodes["end_state"].isna()
    stop_censored = np.minimum(episodes["end_year"], episodes["last_data_year"] - 1) * 12 + 11
    episodes["start_month"] = start_month.astype(int)
    episodes["end_month"] = np.where(censored, -1, end_month).astype(int)
    episodes["stop_month"] = np.where(censored, stop_censored, end_month).astype(int)
    episodes["episode"] = np.arange(len(episodes))
    return episodes


def build_panel(
    data: ReferenceData,
    events: pd.DataFrame,
    filters: ReferenceFilters | None = None,
    as_of: date | None = None,
    years: tuple[int, int] = PANEL_YEARS,
) -> Panel:
    """The panel on the information at ``as_of`` (UCDP rows by ``information_at``, events dated before it)."""
    filters = filters or ReferenceFilters()
    if as_of is not None:
        data = information_at(data, as_of.year)
        events = events_before(events, as_of)
    episodes = episode_months(data)
    lo, hi = years[0] * 12, years[1] * 12 + 11
    first = np.maximum(episodes["start_month"].to_numpy(), lo)
    last = np.minimum(episodes["stop_month"].to_numpy(), hi)
    spans = np.clip(last - first + 1, 0, None)
    idx = np.repeat(np.arange(len(episodes)), spans)
    offset = np.arange(len(idx)) - np.repeat(np.cumsum(spans) - spans, spans)
    ep = episodes.iloc[idx].reset_index(drop=True)
    month = first[idx] + offset
    rows = pd.DataFrame(
        {
            "conflict_id": ep["conflict_id"].to_numpy(),
            "episode": ep["episode"].to_numpy(),
            "start_year": ep["start_year"].to_numpy(),
            "month": month,
            "year": month // 12,
        }
    )
    rows["age"] = rows["year"] - rows["start_year"]
    rows["band"] = _band_index(rows["age"].to_numpy())
    rows["interstate"] = ep["interstate"].to_numpy()
    rows["first_war_year"] = ep["first_war_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    intensity = data.years.set_index(["conflict_id", "year"])["intensity_level"]
    key = pd.MultiIndex.from_arrays([rows["conflict_id"], rows["year"]])
    level = pd.Series(intensity.reindex(key).to_numpy(), index=rows.index)
    rows["intensity"] = level.groupby(rows["episode"]).ffill().fillna(1).astype(int).to_numpy()
    ending = (ep["end_month"].to_numpy() == month) & ep["end_state"].notna().to_numpy()
    y = np.column_stack([(ending & (ep["end_state"].to_numpy() == TARGETS[t])).astype(float) for t in TRANSITIONS])
    rows["ending"] = np.where(ending, ep["end_state"].to_numpy(), "")

    keep = np.ones(len(rows), dtype=bool)
    if filters.interstate_only:
        keep &= rows["interstate"].to_numpy(dtype=bool)
    if filters.war_intensity_only:
        keep &= rows["year"].to_numpy() >= np.nan_to_num(rows["first_war_year"].to_numpy(), nan=np.inf)
    keep &= rows["age"].to_numpy() >= filters.min_age_years
    rows, y = rows[keep].reset_index(drop=True), y[keep]

    gaps = np.full((len(rows), len(CELLS)), np.nan)
    uncovered = np.zeros((len(rows), len(CELLS)))
    order = rows.sort_values("month").index.to_numpy()
    left = rows.loc[order, ["conflict_id", "month"]].reset_index(drop=True).astype("int64")
    for j, c in enumerate(CELLS):
        ev = events.loc[events["cell"] == c.key, ["conflict_id", "month"]].drop_duplicates()
        ev = ev.rename(columns={"month": "event_month"}).astype("int64").sort_values("event_month")
        if len(ev) and len(left):
            merged = pd.merge_asof(
                left, ev, left_on="month", right_on="event_month", by="conflict_id", allow_exact_matches=False
            )
            gap = (merged["month"] - merged["event_month"] - 1).to_numpy(dtype=float)
            gaps[order, j] = gap
        uncovered[:, j] = ((rows["year"] < c.first_year) | (rows["year"] > c.last_year)).to_numpy(dtype=float)
    return Panel(rows, gaps, y, uncovered, events, years)
