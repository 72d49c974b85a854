"""Rolling-origin backtest of the evidence model against the reference class alone, no look-ahead.

At origin Y (1 January of year Y) the GLM is fitted on ``build_panel(data, events, as_of=Y-01-01)``:
UCDP rows by ``information_at`` (endings known up to year Y-2) and events dated before the origin.
The half-life is profiled on that origin's training panel (no look-ahead). Every episode at war at the
origin (started before it, not ended before it, in the final data: the state at the forecast date is
known to the forecaster) gets a one-year forecast from monthly competing risks: hazards per month from
its age band and last known intensity (year Y-1), with ``e_k`` fading from its value at the origin (no
later event is known), and the same GLM without event terms as the reference. Outcome: the ending in
year Y if it is a deal, ceasefire or frozen ending, else war (still at war, or another ending).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from forecast.calibration.events import CELLS
from forecast.calibration.model import design, fit_map, profile
from forecast.calibration.panel import PANEL_YEARS, TARGETS, TRANSITIONS, Panel, build_panel, episode_months
from forecast.reference.backtest import Forecast, brier, log_score, reliability_table
from forecast.reference.data import ReferenceData
from forecast.reference.hazards import age_band
from forecast.states import STATES, state_index

RECENT_MONTHS = 12


@dataclass(frozen=True)
class EvidenceForecast:
    origin: int
    conflict_id: int
    start_year: int
    age: int
    recent_event: bool
    realised: str
    events: tuple[float, ...]  # P(war, ceasefire, frozen, deal) at one year, with events
    reference: tuple[float, ...]  # the same GLM without event terms
    half_life: float


def one_year(log_h: np.ndarray) -> np.ndarray:
    """P(state after 12 months) in STATES order from 12 x 3 monthly log hazards (TRANSITIONS order)."""
    p = np.zeros(len(STATES))
    surv = 1.0
    for h in np.exp(log_h):
        total = h.sum()
        leave = 1.0 - np.exp(-total)
        for j, t in enumerate(TRANSITIONS):
            p[state_index(TARGETS[t])] += surv * leave * h[j] / total
        surv *= 1.0 - leave
    p[state_index("war")] = surv
    return p


def rps(p: np.ndarray, realised: int) -> float:
    """Ranked probability score over STATES order (war, ceasefire, frozen, deal), lower is better."""
    o = np.zeros(len(p))
    o[realised] = 1.0
    return float(((np.cumsum(p) - np.cumsum(o))[:-1] ** 2).sum())


def _forecast_panel(data: ReferenceData, events: pd.DataFrame, origin: int) -> tuple[Panel, pd.DataFrame]:
    """12 monthly rows per episode at war at the origin, in a Panel, and the episodes with their outcome."""
    episodes = episode_months(data)
    o = origin * 12
    at_risk = episodes[(episodes["start_month"] < o) & (episodes["stop_month"] >= o)].reset_index(drop=True)
    ended = (at_risk["end_month"] >= o) & (at_risk["end_month"] < o + 12)
    at_risk["realised"] = np.where(
        ended & at_risk["end_state"].isin(list(TARGETS.values())), at_risk["end_state"], "war"
    )
    intensity = data.years.set_index(["conflict_id", "year"])["intensity_level"]
    n = len(at_risk)
    idx = np.repeat(np.arange(n), 12)
    month = o + np.tile(np.arange(12), n)
    rows = pd.DataFrame(
        {
            "conflict_id": at_risk["conflict_id"].to_numpy()[idx],
            "episode": idx,
            "month": month,
            "year": origin,
            "age": origin - at_risk["start_year"].to_numpy()[idx],
        }
    )
    rows["band"] = [int(["year 1", "years 2-3", "years 4-7", "years 8+"].index(age_band(a))) for a in rows["age"]]
    level = intensity.reindex(pd.MultiIndex.from_arrays([rows["conflict_id"], np.full(len(rows), origin - 1)]))
    rows["intensity"] = level.fillna(1).astype(int).to_numpy()
    gaps = np.full((len(rows), len(CELLS)), np.nan)
    uncovered = np.zeros((len(rows), len(CELLS)))
    known = events[events["month"] < o]
    latest = known.groupby(["cell", "conflict_id"])["month"].max()
    for j, c in enumerate(CELLS):
        if c.key in latest.index.get_level_values(0):
            last = latest.loc[c.key]
            em = rows["conflict_id"].map(last).to_numpy(dtype=float)
            gaps[:, j] = rows["month"].to_numpy() - em - 1
        uncovered[:, j] = float(origin < c.first_year or origin > c.last_year)
    recent = np.where(np.isnan(gaps), np.inf, gaps).min(axis=1) < RECENT_MONTHS
    at_risk["recent_event"] = [bool(recent[i * 12]) for i in range(n)]
    y = np.zeros((len(rows), len(TRANSITIONS)))
    return Panel(rows, gaps, y, uncovered, known, PANEL_YEARS), at_risk


def origin_forecasts(data: ReferenceData, events: pd.DataFrame, origin: int) -> list[EvidenceForecast]:
    """Forecasts at one origin; nothing dated on or after 1 January ``origin`` is used."""
    train = build_panel(data, events, as_of=date(origin, 1, 1))
    if not train.y.sum():
        return []
    best, _ = profile(train)
    with_ev, without = fit_map(train, best), fit_map(train, best, with_events=False)
    panel, at_risk = _forecast_panel(data, events, origin)
    if not len(at_risk):
        return []
    lh_ev = with_ev.log_hazard(design(panel, best))
    lh_ref = without.log_hazard(design(panel, best, with_events=False))
    out = []
    cids = at_risk["conflict_id"].astype(int).tolist()
    starts = at_risk["start_year"].astype(int).tolist()
    recent = at_risk["recent_event"].astype(bool).tolist()
    realised = at_risk["realised"].astype(str).tolist()
    for i in range(len(at_risk)):
        block = slice(12 * i, 12 * i + 12)
        out.append(
            EvidenceForecast(
                origin,
                cids[i],
                starts[i],
                origin - starts[i],
                recent[i],
                realised[i],
                tuple(float(v) for v in one_year(lh_ev[block])),
                tuple(float(v) for v in one_year(lh_ref[block])),
                best,
            )
        )
    return out


def _scores(f: EvidenceForecast) -> dict[str, float]:
    r = state_index(f.realised)
    e, b = np.array(f.events), np.array(f.reference)
    return {
        "brier": brier(e, r),
        "brier_reference": brier(b, r),
        "log_score": log_score(e, r),
        "log_score_reference": log_score(b, r),
        "rps": rps(e, r),
        "rps_reference": rps(b, r),
    }


def _summary(frame: pd.DataFrame) -> dict[str, float]:
    cols = ["brier", "brier_reference", "log_score", "log_score_reference", "rps", "rps_reference"]
    return {"n": int(len(frame)), **{c: float(frame[c].mean()) if len(frame) else float("nan") for c in cols}}


def run_evidence_backtest(
    data: ReferenceData,
    events: pd.DataFrame,
    first_origin: int = 1993,
    last_origin: int = PANEL_YEARS[1],
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The ``evidence`` block of backtest.json."""
    forecasts: list[EvidenceForecast] = []
    for y in range(first_origin, last_origin + 1):
        forecasts += origin_forecasts(data, events, y)
        if progress:
            progress(f"evidence backtest: origin {y}")
    frame = pd.DataFrame(
        [{"origin": f.origin, "realised": f.realised, "recent": f.recent_event, **_scores(f)} for f in forecasts]
    )
    by_origin = [{"origin": o, **_summary(frame[frame["origin"] == o])} for o in sorted(set(frame["origin"]))]
    by_group: list[dict[str, object]] = [
        {"group": f"realised {s}", **_summary(frame[frame["realised"] == s])} for s in STATES
    ]
    by_group += [
        {"group": "recent event (12 months before the origin)", **_summary(frame[frame["recent"]])},
        {"group": "no recent event", **_summary(frame[~frame["recent"]])},
    ]
    for t, s in TARGETS.items():  # per transition: binary Brier of P(ending s) against whether it happened
        k = state_index(s)
        hit = np.array([f.realised == s for f in forecasts], dtype=float)
        pe = np.array([f.events[k] for f in forecasts])
        pr = np.array([f.reference[k] for f in forecasts])
        by_group.append(
            {
                "group": f"{t} (binary Brier)",
                "n": int(len(forecasts)),
                "endings": int(hit.sum()),
                "brier": float(((pe - hit) ** 2).mean()),
                "brier_reference": float(((pr - hit) ** 2).mean()),
                "mean_p": float(pe.mean()),
                "mean_p_reference": float(pr.mean()),
            }
        )
    as_forecasts = [
        Forecast(f.origin, f.conflict_id, "war", f.age, age_band(f.age), f.realised, f.events, f.reference)
        for f in forecasts
    ]
    return {
        "settings": {
            "first_origin": first_origin,
            "last_origin": last_origin,
            "fit": "penalised Poisson GLM (MAP), no random effect, half-life profiled on each origin's training data",
            "half_life_months_by_origin": {str(f.origin): f.half_life for f in forecasts},
            "reference": "the same GLM without event terms (age band x intensity)",
            "outcome": "deal / ceasefire / frozen ending within the year, else war",
        },
        "by_origin": by_origin,
        "totals": {"all": _summary(frame)},
        "by_group": by_group,
        "reliability": {
            "events": reliability_table(as_forecasts, "model"),
            "reference": reliability_table(as_forecasts, "baseline"),
        },
    }


def evidence_verdict(block: dict[str, Any]) -> str:
    t = block["totals"]["all"]
    db = t["brier_reference"] - t["brier"]
    dl = t["log_score"] - t["log_score_reference"]
    word = "beat" if db > 0 and dl > 0 else ("lose to" if db < 0 and dl < 0 else "are mixed against")
    return (
        f"Evidence model (n={t['n']}): events {word} the reference class alone: Brier {t['brier']:.4f} vs "
        f"{t['brier_reference']:.4f} ({db:+.4f}), log score {t['log_score']:.4f} vs {t['log_score_reference']:.4f} "
        f"({dl:+.4f})."
    )


def evidence_html(block: dict[str, Any]) -> str:
    def table(rows: Sequence[Mapping[str, object]]) -> str:
        return pd.DataFrame(rows).to_html(index=False, float_format=lambda x: f"{x:.4f}", border=0)

    rel = block["reliability"]
    totals = [{"group": k, **v} for k, v in block["totals"].items()]
    return (
        "<h1>Evidence model: rolling-origin backtest</h1>"
        f"<p>{block['settings']['fit']}; reference: {block['settings']['reference']}. "
        "One-year forecasts of every episode at war at each origin, monthly competing risks.</p>"
        f"<p><strong>{evidence_verdict(block)}</strong></p>"
        f"<h2>Totals</h2>{table(totals)}<h2>By group</h2>{table(block['by_group'])}"
        f"<h2>Per origin</h2>{table(block['by_origin'])}"
        f"<h2>Reliability (events)</h2>{table(rel['events'])}<h2>Reliability (reference)</h2>{table(rel['reference'])}"
    )
