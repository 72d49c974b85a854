"""What moved the forecast: leave-one-event-out by Pareto-smoothed importance sampling.

The posterior without event j is the full posterior reweighted by ``1 / p(y_j | draw)``, so the
log weights are minus that event's log-likelihood per draw; PSIS (Vehtari et al. 2024) smooths the
largest weights and its Pareto k says whether the reweighting can be trusted. Events with k above
the threshold are refitted without the event (through the caller's callback) instead. An infinite k
arises when many draws tie at the mixture's noise plateau (the event read as noise in those draws,
so their weights are equal and the tail fit degenerates); it is treated as too high.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import arviz as az
import numpy as np

from forecast.model.fit import Curves, Draws, Forecaster, forecast_curves, stacked, state_draws
from forecast.model.readings import Readings, reading_log_lik
from forecast.model.spec import Spec
from forecast.states import STATES

K_THRESHOLD = 0.7


@dataclass(frozen=True)
class EventImpact:
    """Full forecast minus the forecast without the event, per outcome, on the horizon date."""

    event: str
    impact: dict[str, float]
    pareto_k: float
    refitted: bool


def event_log_lik(idata: az.InferenceData, spec: Spec, evidence: Readings) -> np.ndarray:
    """(draws, events): each event's log-likelihood contribution per posterior draw, columns in the order
    of ``evidence.events``; an event reading several drivers contributes the sum over its readings."""
    per_reading = reading_log_lik(evidence, stacked(idata, "x"), spec.noise_sd)
    columns = [per_reading[:, evidence.rows_of(e)].sum(axis=1) for e in evidence.events]
    return np.stack(columns, axis=1) if columns else per_reading


def _relative_ess(idata: az.InferenceData) -> float:
    """ESS / n of the log-likelihood-free parameters, a conservative reff for PSIS."""
    n = idata.posterior.sizes["chain"] * idata.posterior.sizes["draw"]
    ess = az.ess(idata.posterior[["x"]], method="mean")["x"].values
    return float(np.clip(np.median(ess) / n, 0.05, 1.0))


def smoothed_weights(log_w: np.ndarray, reff: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """PSIS log weights (normalised) and Pareto k per row of ``log_w`` (rows, draws).

    Where the tail fit fails (NaN, e.g. a few draws carrying nearly all the weight) the row keeps its
    raw self-normalised weights and its k is set to inf: unreliable, so callers refit when they can.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed, k = az.psislw(log_w, reff=reff)
    smoothed, k = np.atleast_2d(np.asarray(smoothed, dtype=float)), np.atleast_1d(np.asarray(k, dtype=float))
    for row in np.flatnonzero(~np.isfinite(smoothed).all(axis=1) | np.isnan(k)):
        raw = log_w[row] - np.max(log_w[row])
        smoothed[row] = raw - np.log(np.exp(raw).sum())
        k[row] = np.inf
    return smoothed, k


def attribution(
    idata: az.InferenceData,
    spec: Spec,
    evidence: Readings,
    as_of: date,
    horizon: date,
    state: str = "war",
    refit: Callable[[str], az.InferenceData] | None = None,
    k_threshold: float = K_THRESHOLD,
    curves: Curves | None = None,
) -> dict[str, EventImpact]:
    """Impact of each event on the horizon chances; ``refit(event)`` is called when PSIS is unreliable.

    ``curves``: the full posterior's forecast when the caller has it already (it is not recomputed).
    """
    full = curves if curves is not None else forecast_curves(idata, spec, as_of, horizon, state)
    per_draw = full.horizon_draws()
    full_mean = per_draw.mean(axis=0)
    out = measured_attribution(idata, spec, evidence, as_of, horizon, state, full_mean)
    log_lik = event_log_lik(idata, spec, evidence)
    smoothed, k = smoothed_weights(-log_lik.T, _relative_ess(idata))
    for j, event in enumerate(evidence.events):
        refitted = bool(not k[j] <= k_threshold and refit is not None)  # inf (tied weights) counts as too high
        if refitted and refit is not None:
            without = forecast_curves(refit(event), spec, as_of, horizon, state).horizon_draws().mean(axis=0)
        else:
            without = np.exp(smoothed[j]) @ per_draw
        out[event] = EventImpact(
            event=event,
            impact={s: float(full_mean[i] - without[i]) for i, s in enumerate(full.states)},
            pareto_k=float(k[j]),
            refitted=refitted,
        )
    return out


def measured_attribution(
    idata: az.InferenceData,
    spec: Spec,
    evidence: Readings,
    as_of: date,
    horizon: date,
    state: str,
    full_mean: np.ndarray,
) -> dict[str, EventImpact]:
    """Each measured event left out exactly: the same draws with its presence removed (no likelihood
    involves it, so nothing is reweighted and nothing refitted)."""
    draws = Draws.of(idata)
    out = {}
    for event in evidence.measured.event:
        moved = replace(draws, presence=evidence.without(event).presence(spec))
        without = state_draws(moved, spec, as_of, horizon, state)[1][:, -1, :].mean(axis=0)
        out[event] = EventImpact(
            event=event,
            impact={s: float(full_mean[i] - without[i]) for i, s in enumerate(STATES)},
            pareto_k=0.0,
            refitted=False,
        )
    return out


def attribute(
    forecaster: Forecaster,
    idata: az.InferenceData,
    evidence: Readings,
    as_of: date,
    horizon: date,
    state: str = "war",
    seed: int = 0,
    curves: Curves | None = None,
) -> dict[str, EventImpact]:
    """:func:`attribution` with the forecaster's own refit (same seed, the event left out) as fallback."""

    def refit(event: str) -> az.InferenceData:
        return forecaster.fit(evidence.without(event), seed=seed)

    return attribution(idata, forecaster.spec, evidence, as_of, horizon, state, refit=refit, curves=curves)
