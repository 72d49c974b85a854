"""Read the two UCDP files and build the episode table the hazards are counted on.

Everything here works on an *information set*: the rows known at an origin year. That is what
makes the backtest free of look-ahead: episodes, filters and endings are rebuilt from the rows
before the origin only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InputError

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "priors" / "reference"
TERMINATION_FILE = "ucdp_conflict_years.csv"
ACD_FILE = "ucdp_prio_acd.csv"

# c_outcome -> state entered at the ending. Victory (3, 4), actor ceases to exist (6) and
# endings without a code go to a terminal "other": a competing risk, censored for our transitions.
OUTCOME_STATE: dict[int, str] = {1: "deal", 2: "ceasefire", 5: "frozen"}
OTHER = "other"


@dataclass(frozen=True)
class ReferenceData:
    """Conflict-years from both files, joined: one row per (conflict_id, year)."""

    years: pd.DataFrame
    last_year: int


def resolve_data_dir(data_dir: Path | None) -> Path:
    """The shipped ``priors/reference`` unless another copy is given."""
    return DEFAULT_DATA_DIR if data_dir is None else Path(data_dir)


def _read_csv(path: Path, **options: object) -> pd.DataFrame:
    """A reference CSV; a missing or unreadable file is an :class:`InputError` naming it."""
    try:
        return pd.read_csv(path, **options)  # type: ignore[call-overload]
    except (OSError, ValueError) as exc:
        raise InputError(path, None, "", f"cannot read reference data: {exc}") from None


def _columns(path: Path, frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """The named columns of ``frame`` with their types; a missing column or a value that is not of its
    type (a replaced or hand-edited file) is an :class:`InputError` naming the file, not a KeyError."""
    missing = [name for name in types if name not in frame.columns]
    if missing:
        raise InputError(path, None, "", f"not the expected reference data: missing column(s) {', '.join(missing)}")
    try:
        return frame[list(types)].astype(types)
    except (TypeError, ValueError) as exc:
        raise InputError(path, None, "", f"not the expected reference data: {exc}") from None


def read_termination(data_dir: Path | None = None) -> pd.DataFrame:
    """The termination extract as typed columns (c_epterm/c_outcome nullable)."""
    path = resolve_data_dir(data_dir) / TERMINATION_FILE
    frame = _read_csv(path)
    typed = _columns(path, frame, {"c_epid": "int64", "year": "int64", "c_epterm": "Float64", "c_outcome": "Float64"})
    return frame.assign(**{name: typed[name] for name in typed.columns})


def read_acd(data_dir: Path | None = None) -> pd.DataFrame:
    """The ACD columns the reference class needs (a real CSV parser: one field holds a newline)."""
    path = resolve_data_dir(data_dir) / ACD_FILE
    frame = _read_csv(path, keep_default_na=False, dtype=str)
    if "ep_end_date" not in frame.columns:  # an extract without episode end dates reads as undated
        frame = frame.assign(ep_end_date="")
    types = {"conflict_id": "int64", "year": "int64", "intensity_level": "int64", "type_of_conflict": "int64"}
    out = _columns(path, frame, {**types, "start_date2": "str", "ep_end_date": "str"})
    # ep_end_date: day precision, set only on the ACD's episode-ending rows (ep_end = 1); "" elsewhere
    return out.assign(start_date2=out["start_date2"].str.strip(), ep_end_date=out["ep_end_date"].str.strip())


def join_years(termination: pd.DataFrame, acd: pd.DataFrame) -> pd.DataFrame:
    """One row per conflict-year with both files' columns; raises if any pair is unmatched."""
    term = termination.assign(conflict_id=termination["c_epid"] // 100)
    joined = term.merge(acd, on=["conflict_id", "year"], how="outer", indicator=True, validate="one_to_one")
    unmatched = joined[joined["_merge"] != "both"]
    if len(unmatched):
        pairs = unmatched[["conflict_id", "year", "_merge"]].head(5).to_dict("records")
        raise ValueError(f"{len(unmatched)} (conflict_id, year) pairs do not match between the files: {pairs}")
    return joined.drop(columns="_merge").sort_values(["conflict_id", "year"]).reset_index(drop=True)


def load_reference_data(data_dir: Path | None = None) -> ReferenceData:
    """Both files joined and checked (files that do not join are an InputError naming the folder)."""
    try:
        years = join_years(read_termination(data_dir), read_acd(data_dir))
    except ValueError as exc:
        raise InputError(resolve_data_dir(data_dir), None, "", f"reference data: {exc}") from None
    return ReferenceData(years=years, last_year=int(years["year"].max()))


def information_at(data: ReferenceData, origin: int) -> ReferenceData:
    """Rows known at the start of ``origin``: years before it, with the last year's endings masked.

    A termination code in year Y-1 says that year Y was inactive, so it is only known once Y is
    over. The release itself behaves this way (its 2024 codes are empty).
    """
    last = min(origin - 1, data.last_year)
    rows = data.years[data.years["year"] <= last].copy()
    mask = rows["year"] == last
    rows.loc[mask, "c_epterm"] = pd.NA
    rows.loc[mask, "c_outcome"] = pd.NA
    return ReferenceData(years=rows.reset_index(drop=True), last_year=last)


def episode_keys(years: pd.DataFrame) -> pd.Series:
    """Episode number within the frame: new episode when the ACD episode changes or after an ending row."""
    ordered = years.sort_values(["conflict_id", "year"])
    new_conflict = ordered["conflict_id"] != ordered["conflict_id"].shift()
    new_acd_episode = ordered["start_date2"] != ordered["start_date2"].shift()
    after_ending = ordered["c_epterm"].shift().fillna(0).astype(float) == 1.0
    starts = new_conflict | new_acd_episode | after_ending
    return starts.cumsum().reindex(years.index)


def ending_state(outcome: float | None, ended: bool) -> str | None:
    """State entered at the end of an episode; None while it is still active (censored)."""
    if not ended:
        return None
    if outcome is None or pd.isna(outcome):
        return OTHER
    return OUTCOME_STATE.get(int(outcome), OTHER)


def build_episodes(data: ReferenceData) -> pd.DataFrame:
    """One row per episode: start/end years, ending state, flags and the next episode's start.

    An episode is active in ``data.last_year`` => censored (``end_state`` None). An episode whose rows
    stop earlier without a code ended in an uncoded way: ``other``.
    """
    years = data.years.copy()
    years["episode"] = episode_keys(years)
    grouped = years.groupby("episode", sort=True)
    last_rows = years.loc[grouped["year"].idxmax()].set_index("episode")
    interstate_conflicts = set(years.loc[years["type_of_conflict"] == 2, "conflict_id"])
    first_war = years[years["intensity_level"] == 2].groupby("episode")["year"].min()
    episodes = pd.DataFrame(
        {
            "conflict_id": grouped["conflict_id"].first(),
            "c_epid": grouped["c_epid"].first(),
            "start_year": grouped["year"].min(),
            "end_year": grouped["year"].max(),
            "max_intensity": grouped["intensity_level"].max(),
            "first_war_year": first_war,
        }
    )
    active_last = episodes["end_year"] >= data.last_year
    coded = last_rows["c_epterm"].fillna(0).astype(float) == 1.0
    episodes["end_state"] = [
        ending_state(None if pd.isna(o) else float(o), not act)
        for o, act in zip(last_rows["c_outcome"].where(coded), active_last, strict=True)
    ]
    episodes["c_outcome"] = last_rows["c_outcome"].where(coded)
    episodes["interstate"] = episodes["conflict_id"].isin(interstate_conflicts)
    next_start = episodes.groupby("conflict_id")["start_year"].shift(-1)
    episodes["next_start_year"] = next_start.astype("Int64")
    episodes["first_war_year"] = episodes["first_war_year"].astype("Int64")
    episodes["last_data_year"] = data.last_year
    return episodes.reset_index(drop=True)


def episode_years(episodes: pd.DataFrame) -> pd.DataFrame:
    """Expand episodes to one row per year at risk in war, with age and whether the episode ended then.

    Whether a year was an episode's last is only known once the next year is seen, so the last data
    year of a still-active episode is not at risk yet: censored episodes count up to ``last_data_year - 1``.
    A year missing inside an episode (two cases) is counted as at risk.
    """
    censored = episodes["end_state"].isna()
    stop = episodes["end_year"].where(~censored, np.minimum(episodes["end_year"], episodes["last_data_year"] - 1))
    spans = (stop - episodes["start_year"] + 1).clip(lower=0)
    idx = np.repeat(episodes.index.to_numpy(), spans.to_numpy())
    rows = episodes.loc[idx].reset_index(names="episode_index")
    rows["year"] = rows["start_year"] + rows.groupby("episode_index").cumcount()
    rows["age"] = rows["year"] - rows["start_year"]
    rows["ends_here"] = (rows["year"] == rows["end_year"]) & rows["end_state"].notna()
    return rows
