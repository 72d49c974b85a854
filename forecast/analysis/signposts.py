"""What to watch: the change one more event of each kind would make, and what would flip the lead.

One more event is a reading of the kind's default signal at the as-of week; the posterior with it
is the run's posterior reweighted by that reading's likelihood (PSIS, refitted when Pareto k > 0.7),
which is what a what-if run with the event adds gives, within Monte Carlo error.

To take the leading outcome below 50% (or another above it) the search adds, one at a time, the
event that moves the target most (reweighting all added events together) until the target crosses
or the weights stop being trustworthy. If it never crosses, the bound says how far readings can go
at all: every driver held at its most favourable default signal from now to the horizon. A change of
state (a ceasefire taking effect) is not a reading; its effect is computed exactly from that state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import arviz as az
import numpy as np

from forecast.analysis.sensitivity import K_THRESHOLD
from forecast.model.attribution import smoothed_weights
from forecast.model.fit import Draws, Forecaster, stacked, state_draws
from forecast.model.measured import MeasuredItem, Presence, presence
from forecast.model.readings import Readings, reading_log_lik
from forecast.model.spec import Spec
from forecast.states import STATES

MAX_EVENTS = 8
CROSSING = 0.5


@dataclass(frozen=True)
class Hypothesis:
    """One more event of a kind: a reading of ``signal`` on ``driver`` at the as-of week, or for a
    measured kind (``cell`` set) an event of that cell on the as-of date (driver and signal unused)."""

    kind: str
    driver: str
    signal: float
    sd: float
    reliability: float
    cell: str | None = None


def measured_presence(hypotheses: list[Hypothesis], spec: Spec, as_of: date) -> Presence:
    """The measured hypotheses as events on the as-of date."""
    items = [MeasuredItem(f"hypothetical-{h.kind}", as_of, as_of, h.cell, h.reliability) for h in hypotheses if h.cell]
    return presence(items, spec.measured, spec.start, spec.weeks, as_of)


def _split(hypotheses: list[Hypothesis]) -> tuple[list[Hypothesis], list[Hypothesis]]:
    return [h for h in hypotheses if h.cell is None], [h for h in hypotheses if h.cell is not None]


def _with_measured(
    draws: Draws,
    evidence: Readings,
    extra: list[Hypothesis],
    spec: Spec,
    as_of: date,
    horizon: date,
    state: str,
    seen: dict[bytes, np.ndarray] | None = None,
) -> np.ndarray | None:
    """(draws, 4) horizon chances with measured hypotheses added (exact: same draws, more presence).

    ``seen`` memoises on the presence table for one set of draws: the pathway's rounds ask again for
    combinations whose presence is the same (presence does not stack), each a full matrix exponential.
    """
    if not extra or draws.presence is None:
        return None
    total = evidence.measured.plus(measured_presence(extra, spec, as_of)).total(spec.weeks, len(spec.measured.cells))
    key = total.tobytes()
    if seen is not None and key in seen:
        return seen[key]
    value = state_draws(replace(draws, presence=total), spec, as_of, horizon, state)[1][:, -1, :]
    if seen is not None:
        seen[key] = value
    return value


@dataclass(frozen=True)
class OneMore:
    """The horizon chances with one more event of a kind, and their change."""

    hypothesis: Hypothesis
    outcomes: dict[str, float]
    change: dict[str, float]
    pareto_k: float
    method: Literal["reweighted", "refit", "exact"]


@dataclass(frozen=True)
class Pathway:
    """The smallest combination found that takes ``target`` across 50%, or the bound if none does."""

    target: str
    direction: Literal["below", "above"]
    crosses: bool
    events: list[str] = field(default_factory=list)
    value: float | None = None
    bound: float | None = None
    bound_levels: dict[str, float] = field(default_factory=dict)
    states: dict[str, float] = field(default_factory=dict)  # target's chance if the state changed now


def hypothetical_readings(hypotheses: list[Hypothesis], spec: Spec, as_of: date) -> Readings:
    """The hypotheses as readings at the as-of week (one event each)."""
    ids = spec.driver_ids
    week = spec.week_of(as_of)
    return Readings(
        event=tuple(f"hypothetical-{i}-{h.kind}" for i, h in enumerate(hypotheses)),
        driver=np.array([ids.index(h.driver) for h in hypotheses], dtype=int),
        week=np.full(len(hypotheses), week, dtype=int),
        signal=np.array([h.signal for h in hypotheses], dtype=float),
        sd=np.array([h.sd for h in hypotheses], dtype=float),
        reliability=np.array([h.reliability for h in hypotheses], dtype=float),
    )


def combined(evidence: Readings, extra: Readings) -> Readings:
    """The run's readings with the hypothetical ones appended."""
    return Readings(
        event=evidence.event + extra.event,
        driver=np.concatenate([evidence.driver, extra.driver]),
        week=np.concatenate([evidence.week, extra.week]),
        signal=np.concatenate([evidence.signal, extra.signal]),
        sd=np.concatenate([evidence.sd, extra.sd]),
        reliability=np.concatenate([evidence.reliability, extra.reliability]),
        measured=evidence.measured.plus(extra.measured),
    )


def hypothesis_log_lik(hypotheses: list[Hypothesis], spec: Spec, x: np.ndarray, as_of: date) -> np.ndarray:
    """(draws, hypotheses): each hypothetical reading's log-likelihood per posterior draw of the paths."""
    return reading_log_lik(hypothetical_readings(hypotheses, spec, as_of), x, spec.noise_sd)


def _reweighted(log_w: np.ndarray, per_draw: np.ndarray) -> tuple[np.ndarray, float]:
    smoothed, k = smoothed_weights(log_w[None, :])
    return np.exp(smoothed[0]) @ per_draw, float(k[0])


def one_more(
    forecaster: Forecaster,
    idata: az.InferenceData,
    evidence: Readings,
    hypotheses: list[Hypothesis],
    per_draw: np.ndarray,
    as_of: date,
    horizon: date,
    state: str,
    states: tuple[str, ...],
    seed: int,
    seen: dict[bytes, np.ndarray] | None = None,
) -> list[OneMore]:
    """Each hypothesis added alone: reweighted by its likelihood, refitted when PSIS fails; a measured
    kind's event exactly (the same draws with its presence added). ``seen``: the memo of this fit's
    presence tables, shared with :func:`pathway`, whose first round asks for the same ones."""
    spec = forecaster.spec
    readings_only, measured = _split(hypotheses)
    log_lik = hypothesis_log_lik(readings_only, spec, stacked(idata, "x"), as_of)
    base = per_draw.mean(axis=0)
    draws = Draws.of(idata)
    out = []
    for h in measured:
        exact = _with_measured(draws, evidence, [h], spec, as_of, horizon, state, seen)
        if exact is None:
            continue
        value = exact.mean(axis=0)
        out.append(
            OneMore(
                hypothesis=h,
                outcomes={s: float(value[i]) for i, s in enumerate(states)},
                change={s: float(value[i] - base[i]) for i, s in enumerate(states)},
                pareto_k=0.0,
                method="exact",
            )
        )
    for j, h in enumerate(readings_only):
        value, k = _reweighted(log_lik[:, j], per_draw)
        method: Literal["reweighted", "refit", "exact"] = "reweighted"
        if not k <= K_THRESHOLD:
            refit = forecaster.fit(combined(evidence, hypothetical_readings([h], spec, as_of)), seed=seed)
            value = forecaster.forecast_curves(refit, as_of, horizon, state).horizon_draws().mean(axis=0)
            method = "refit"
        out.append(
            OneMore(
                hypothesis=h,
                outcomes={s: float(value[i]) for i, s in enumerate(states)},
                change={s: float(value[i] - base[i]) for i, s in enumerate(states)},
                pareto_k=k,
                method=method,
            )
        )
    return out


def target_of(base: dict[str, float]) -> tuple[str, Literal["below", "above"]]:
    """(outcome, direction): the leader to push below 50%, or the likeliest other to push above it."""
    leader = max(base, key=lambda s: base[s])
    return (leader, "below") if base[leader] >= CROSSING else (leader, "above")


def _crossed(value: float, direction: str) -> bool:
    return value < CROSSING if direction == "below" else value > CROSSING


def pathway(
    forecaster: Forecaster,
    idata: az.InferenceData,
    evidence: Readings,
    singles: list[OneMore],
    per_draw: np.ndarray,
    as_of: date,
    horizon: date,
    state: str,
    states: tuple[str, ...],
    seen: dict[bytes, np.ndarray] | None = None,
) -> Pathway:
    """Greedy search for the fewest events that take the target across 50%; else the held-driver bound.
    ``seen``: the memo of this fit's presence tables (:func:`_with_measured`)."""
    spec = forecaster.spec
    base = dict(zip(states, per_draw.mean(axis=0), strict=True))
    target, direction = target_of(base)
    t = states.index(target)
    sign = -1.0 if direction == "below" else 1.0
    useful = [m.hypothesis for m in singles if sign * m.change[target] > 0]
    draws = Draws.of(idata)
    readings_only = [h for h in useful if h.cell is None]
    log_lik = hypothesis_log_lik(readings_only, spec, draws.x, as_of)  # the same each round
    steps = {h: log_lik[:, j] for j, h in enumerate(readings_only)}
    zero = np.zeros(per_draw.shape[0])
    chosen: list[Hypothesis] = []
    seen = {} if seen is None else seen
    log_w = zero
    current = per_draw  # horizon chances per draw with the measured events chosen so far
    result = Pathway(target=target, direction=direction, crosses=False)
    for _ in range(MAX_EVENTS if useful else 0):
        trials = []
        for h in useful:
            if h.cell is not None and h in chosen:
                continue  # a second recent event of a measured cell adds nothing (presence does not stack)
            step = steps.get(h, zero)
            extra = [c for c in [*chosen, h] if c.cell]
            exact = None
            if h.cell is not None:  # a reading changes the weights, not the presence
                exact = _with_measured(draws, evidence, extra, spec, as_of, horizon, state, seen)
            rows = current if exact is None else exact
            weights = log_w + step
            value, k = _reweighted(weights, rows) if weights.any() else (rows.mean(axis=0), 0.0)
            trials.append((sign * value[t], k, h, step, value, rows))
        if not trials:
            break
        _, k, best, step, value, rows = max(trials, key=lambda trial: trial[0])
        if not k <= K_THRESHOLD:
            break  # the weights no longer describe the posterior: stop here
        chosen.append(best)
        log_w, current = log_w + step, rows
        if _crossed(float(value[t]), direction):
            result = replace(result, crosses=True, events=[h.kind for h in chosen], value=float(value[t]))
            break
    if not result.crosses:
        bound, levels = held_bound(spec, draws, singles, target, sign, as_of, horizon, state)
        result = replace(result, events=[h.kind for h in chosen], bound=bound, bound_levels=levels)
    return replace(result, states=state_alternatives(spec, draws, target, as_of, horizon, state))


def held_bound(
    spec: Spec,
    draws: Draws,
    singles: list[OneMore],
    target: str,
    sign: float,
    as_of: date,
    horizon: date,
    state: str,
) -> tuple[float, dict[str, float]]:
    """The target's chance with each driver held, from the as-of week to the horizon, at the default
    signal of the kind that moves the target most on it: no stream of such readings can go further."""
    x = draws.x.copy()
    now = spec.week_of(as_of)
    held = None if draws.presence is None else draws.presence.copy()
    levels: dict[str, float] = {}
    for m in sorted(singles, key=lambda m: sign * m.change[target], reverse=True):
        h = m.hypothesis
        if sign * m.change[target] <= 0:
            continue
        if h.cell is not None and held is not None:  # a fresh event of the cell every week
            levels[h.cell] = 1.0
            held[now:, spec.measured.cells.index(h.cell)] = 1.0
        elif h.cell is None and h.driver not in levels:
            levels[h.driver] = h.signal
            x[:, now:, spec.driver_ids.index(h.driver)] = h.signal
    _, p = state_draws(replace(draws, x=x, presence=held), spec, as_of, horizon, state)
    return float(p[:, -1, STATES.index(target)].mean()), levels


def state_alternatives(
    spec: Spec, draws: Draws, target: str, as_of: date, horizon: date, state: str
) -> dict[str, float]:
    """The target's chance on the horizon if each other state took effect on the as-of date."""
    out = {}
    for other in STATES:
        if other != state:
            _, p = state_draws(draws, spec, as_of, horizon, other)
            out[other] = float(p[:, -1, STATES.index(target)].mean())
    return out
