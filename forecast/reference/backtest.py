"""Rolling-origin backtest of one-year state forecasts, with no look-ahead.

At origin Y (the start of year Y) the model sees only ``information_at(data, Y)``: rows before Y, with
year Y-1's endings masked. It forecasts, for each episode in war in Y-1 and each ended episode still
in its post-ending state, the state in year Y; the outcome is read from ``information_at(data, Y + 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.process import constant_state_probabilities
from forecast.reference.classes import ReferenceFilters
from forecast.reference.data import ReferenceData, build_episodes, information_at, load_reference_data
from forecast.reference.hazards import (
    AGE_BANDS,
    ENDED_STATES,
    UNOBSERVED,
    Count,
    age_band,
    gamma_posterior,
    recurrence_counts,
    war_exit_counts,
    war_years,
    with_fallback,
)
from forecast.states import STATES, TRANSITIONS, state_index, transition_label

CLIP = 1e-6
MIN_TRAINING_YEARS = 5  # the earliest origin has this many years of data to fit on
BASELINE_PSEUDO = 0.5
RELIABILITY_BINS = np.linspace(0.0, 1.0, 11)
# Reachable next states per start state in the four-state process (the baseline smooths over these).
REACHABLE: dict[str, tuple[str, ...]] = {s: (s, *(t for u, t in TRANSITIONS if u == s)) for s in STATES}


@dataclass(frozen=True)
class Forecast:
    """One scored forecast: an episode's state in year ``origin`` from its state in ``origin - 1``."""

    origin: int
    conflict_id: int
    start_state: str
    age: int
    band: str
    realised: str
    model: tuple[float, ...]
    baseline: tuple[float, ...]


@dataclass
class BacktestResult:
    """Scores per origin, totals, by age band, and a reliability table (plain data for JSON)."""

    by_origin: list[dict[str, float]]
    totals: dict[str, dict[str, float]]
    by_age: list[dict[str, object]]
    by_start_state: list[dict[str, object]]
    reliability: list[dict[str, float]]
    settings: dict[str, object]
    forecasts: list[Forecast] = field(repr=False, default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, without the per-forecast rows."""
        return {
            "by_origin": self.by_origin,
            "totals": self.totals,
            "by_age": self.by_age,
            "by_start_state": self.by_start_state,
            "reliability": self.reliability,
            "settings": self.settings,
        }


def brier(p: np.ndarray, realised: int) -> float:
    """Multi-category Brier score: sum over the four states of the squared error."""
    outcome = np.zeros(len(STATES))
    outcome[realised] = 1.0
    return float(((p - outcome) ** 2).sum())


def log_score(p: np.ndarray, realised: int) -> float:
    """log P(realised state), probabilities clipped at 1e-6 so one miss cannot dominate."""
    return float(np.log(max(p[realised], CLIP)))


def predictive(
    hazard_shapes: dict[str, tuple[float, float]], start_state: str, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Posterior-predictive one-year state probabilities: mean of expm(Q) over Gamma draws."""
    hazards = {k: rng.gamma(a, 1.0 / b, size=draws) for k, (a, b) in hazard_shapes.items()}
    return constant_state_probabilities(hazards, start_state, 1.0).mean(axis=0)


def posterior_shapes(war: dict[str, Count], post: dict[str, Count]) -> dict[str, tuple[float, float]]:
    """Gamma (shape, rate) of every transition from counts (assumed prior where unobservable)."""
    counts = {**war, **post}
    out: dict[str, tuple[float, float]] = {}
    for s, t in TRANSITIONS:
        out[transition_label((s, t))] = (
            UNOBSERVED[(s, t)] if (s, t) in UNOBSERVED else gamma_posterior(*_ev(counts[transition_label((s, t))]))
        )
    return out


def _ev(c: Count) -> tuple[float, float]:
    if c.exposure <= 0:
        raise ValueError("no exposure: borrow counts with with_fallback first")
    return float(c.events), c.exposure


def baseline_shares(war: dict[str, Count], post: dict[str, Count]) -> dict[str, np.ndarray]:
    """Climatology: pooled one-year shares per start state (all ages, all episodes), plus 0.5 per reachable state."""
    out: dict[str, np.ndarray] = {}
    exits = {t: war[transition_label(("war", t))].events for t in ENDED_STATES}
    stays = war["war->deal"].exposure - sum(exits.values()) - war["war->other"].events
    counts = {"war": stays, **exits}
    out["war"] = _shares(counts, REACHABLE["war"])
    for s in ENDED_STATES:
        c = post[transition_label((s, "war"))]
        out[s] = _shares({s: c.exposure - c.events, "war": c.events}, REACHABLE[s])
    return out


def _shares(counts: dict[str, float], reachable: tuple[str, ...]) -> np.ndarray:
    v = np.zeros(len(STATES))
    for s in reachable:
        v[state_index(s)] = max(counts.get(s, 0.0), 0.0) + BASELINE_PSEUDO
    return v / v.sum()


def realised_states(now: pd.DataFrame, later: pd.DataFrame, origin: int) -> tuple[dict[tuple[int, int], str], set[int]]:
    """For episodes known at ``origin``: their state in year ``origin``; and conflicts with a new episode then."""
    later_key = later.set_index(["conflict_id", "start_year"])
    state: dict[tuple[int, int], str] = {}
    ends = later_key["end_state"]
    for cid, start in zip(now["conflict_id"].tolist(), now["start_year"].tolist(), strict=True):
        ended = ends.loc[(cid, start)]
        state[(int(cid), int(start))] = "war" if pd.isna(ended) else str(ended)
    restarted = set(later.loc[later["start_year"] == origin, "conflict_id"])
    return state, restarted


def origin_forecasts(
    data: ReferenceData, origin: int, filters: ReferenceFilters, draws: int, seed: int
) -> list[Forecast]:
    """Every scored forecast made at one origin (fit on the information at the origin only)."""
    known = information_at(data, origin)
    episodes = build_episodes(known)
    later = build_episodes(information_at(data, origin + 1))
    training = war_years(episodes, filters, ignore_age=True)
    bands = training["age"].map(age_band)
    post = recurrence_counts(episodes, ReferenceFilters(), known.last_year)
    pooled_war = war_exit_counts(training)
    base = baseline_shares(pooled_war, post)
    rng = np.random.default_rng(seed + origin)
    model_by_cell = {
        ("war", label): predictive(
            posterior_shapes(with_fallback(war_exit_counts(training[bands == label]), pooled_war)[0], post),
            "war",
            draws,
            rng,
        )
        for _, _, label in AGE_BANDS
    }
    post_shapes = posterior_shapes(pooled_war, post)
    for s in ENDED_STATES:
        model_by_cell[(s, "")] = predictive(post_shapes, s, draws, rng)

    at_war = episodes[episodes["end_state"].isna() & (episodes["end_year"] == known.last_year)]
    in_post = episodes[episodes["end_state"].isin(ENDED_STATES) & episodes["next_start_year"].isna()]
    realised, restarted = realised_states(at_war, later, origin)
    out: list[Forecast] = []
    for cid, start in zip(at_war["conflict_id"].tolist(), at_war["start_year"].tolist(), strict=True):
        state = realised[(cid, start)]
        if state not in STATES:
            continue
        age = known.last_year - int(start)
        label = age_band(age)
        model, baseline = model_by_cell[("war", label)], base["war"]
        out.append(Forecast(origin, int(cid), "war", age, label, state, tuple(model), tuple(baseline)))
    for cid, end, ended in zip(
        in_post["conflict_id"].tolist(), in_post["end_year"].tolist(), in_post["end_state"].tolist(), strict=True
    ):
        state = "war" if cid in restarted else str(ended)
        model, baseline = model_by_cell[(str(ended), "")], base[str(ended)]
        age = known.last_year - int(end)
        out.append(Forecast(origin, int(cid), str(ended), age, "post-ending", state, tuple(model), tuple(baseline)))
    return out


def score_frame(forecasts: list[Forecast]) -> pd.DataFrame:
    """One row per forecast with both scores for model and baseline."""
    rows = []
    for f in forecasts:
        r = state_index(f.realised)
        m, b = np.array(f.model), np.array(f.baseline)
        rows.append(
            {
                "origin": f.origin,
                "start_state": f.start_state,
                "band": f.band,
                "age": f.age,
                "brier": brier(m, r),
                "log_score": log_score(m, r),
                "brier_baseline": brier(b, r),
                "log_score_baseline": log_score(b, r),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["origin", "start_state", "band", "age", "brier", "log_score", "brier_baseline", "log_score_baseline"],
    )


SCORES = ["brier", "log_score", "brier_baseline", "log_score_baseline"]


def summary(frame: pd.DataFrame) -> dict[str, float]:
    """n and mean scores of a group."""
    return {"n": int(len(frame)), **{c: float(frame[c].mean()) for c in SCORES}}


def reliability_table(forecasts: list[Forecast], which: str = "model") -> list[dict[str, float]]:
    """Predicted P of every (forecast, state) pair, binned, against the observed frequency."""
    p = np.array([getattr(f, which) for f in forecasts]).ravel()
    o = np.array([[1.0 if f.realised == s else 0.0 for s in STATES] for f in forecasts]).ravel()
    bins = np.clip(np.digitize(p, RELIABILITY_BINS[1:-1]), 0, len(RELIABILITY_BINS) - 2)
    out = []
    for i in range(len(RELIABILITY_BINS) - 1):
        m = bins == i
        if m.any():
            out.append(
                {
                    "bin_low": float(RELIABILITY_BINS[i]),
                    "bin_high": float(RELIABILITY_BINS[i + 1]),
                    "predicted": float(p[m].mean()),
                    "observed": float(o[m].mean()),
                    "count": int(m.sum()),
                }
            )
    return out


def run_backtest(
    data_dir: Path | None = None,
    first_origin: int = 1975,
    last_origin: int | None = None,
    filters: ReferenceFilters | None = None,
    draws: int = 400,
    seed: int = 0,
    data: ReferenceData | None = None,
) -> BacktestResult:
    """Score one-year forecasts at every origin from ``first_origin`` to the last year with outcomes."""
    data = data if data is not None else load_reference_data(data_dir)
    filters = filters or ReferenceFilters()
    last = data.last_year if last_origin is None else min(last_origin, data.last_year)
    earliest = int(data.years["year"].min()) + MIN_TRAINING_YEARS
    if not earliest <= first_origin <= last:
        raise InputError(
            "--first-origin",
            None,
            "first-origin",
            f"{first_origin} is outside {earliest} .. {last}: origins run from {MIN_TRAINING_YEARS} years "
            "into the data (years to fit on) to the data's last year",
        )
    forecasts = [f for y in range(first_origin, last + 1) for f in origin_forecasts(data, y, filters, draws, seed)]
    frame = score_frame(forecasts)
    by_origin = [{"origin": int(o), **summary(frame[frame["origin"] == o])} for o in sorted(set(frame["origin"]))]
    war = frame[frame["start_state"] == "war"]
    totals = {
        "all": summary(frame),
        "war": summary(war),
        "war_age_3plus": summary(war[war["age"] >= 3]),
        "war_age_4plus": summary(war[war["age"] >= 4]),
        "post_ending": summary(frame[frame["start_state"] != "war"]),
    }
    by_age = [{"band": label, **summary(war[war["band"] == label])} for _, _, label in AGE_BANDS]
    by_start = [{"start_state": s, **summary(frame[frame["start_state"] == s])} for s in STATES]
    settings = {
        "first_origin": first_origin,
        "last_origin": last,
        "filters": filters.model_dump(),
        "draws": draws,
        "seed": seed,
        "clip": CLIP,
        "baseline_pseudo_count": BASELINE_PSEUDO,
    }
    return BacktestResult(by_origin, totals, by_age, by_start, reliability_table(forecasts), settings, forecasts)
