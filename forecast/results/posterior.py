"""Posterior -> the plain numbers of ``summary.json``.

Every posterior quantity is a mixture over the ``given`` dimension (one NUTS sample per outcome
condition) weighted by the exact outcome weights; see :mod:`forecast.model.inference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import arviz as az
import numpy as np
import xarray as xr

from forecast.inputs.load import LocatedItem
from forecast.results.summary import ESS_MIN, INTERVAL, RHAT_MAX, Estimate, EvidenceEntry


@dataclass(frozen=True)
class SamplerChecks:
    rhat_max: float
    ess_bulk_min: float
    divergences: int
    warnings: list[str]


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, probs: list[float]) -> list[float]:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF)."""
    return [float(q) for q in np.quantile(values, probs, weights=weights, method="inverted_cdf")]


def outcome_forecasts(idata: az.InferenceData, interval: float = INTERVAL) -> dict[str, Estimate]:
    """Posterior mean of P(z=k|E) and its central credible interval, per outcome."""
    forecast = idata.posterior["forecast"]  # (chain, draw, given, outcome)
    weight = idata.mixture["weight"].sel(given=forecast["given"])  # the sampled conditions
    per_draw = (weight / (forecast.sizes["chain"] * forecast.sizes["draw"])).broadcast_like(forecast.isel(outcome=0))
    tail = (1 - interval) / 2
    out = {}
    for outcome in forecast.outcome.values:
        values = forecast.sel(outcome=outcome)
        mean = float((values.mean(("chain", "draw")) * weight).sum())
        low, high = weighted_quantiles(
            values.values.ravel(), per_draw.transpose(*values.dims).values.ravel(), [tail, 1 - tail]
        )
        out[str(outcome)] = Estimate(mean=mean, low=low, high=high)
    return out


def diagnostics(idata: az.InferenceData) -> SamplerChecks:
    """R-hat, bulk ESS and divergences of the NUTS-sampled tau, per kind and condition
    (p is drawn exactly, independently, so it needs no convergence check)."""
    params = idata.posterior[["tau"]]
    rhat = az.rhat(params)
    ess = az.ess(params, method="bulk")
    divergences = idata.sample_stats["diverging"].sum("draw").sum("chain")
    warnings = []
    for name in params.data_vars:
        warnings += _threshold_warnings(rhat[name], rhat[name].values > RHAT_MAX, f"R-hat {{:.3f}} > {RHAT_MAX}", name)
        warnings += _threshold_warnings(ess[name], ess[name].values < ESS_MIN, f"ESS {{:.0f}} < {ESS_MIN:.0f}", name)
    for given, count in zip(divergences.given.values, divergences.values, strict=True):
        if count:
            warnings.append(f"{int(count)} divergent transitions given {given}")
    return SamplerChecks(
        rhat_max=float(rhat.to_array().max()),
        ess_bulk_min=float(ess.to_array().min()),
        divergences=int(divergences.sum()),
        warnings=warnings,
    )


def _threshold_warnings(values: xr.DataArray, failing: np.ndarray, template: str, name: str) -> list[str]:
    out = []
    for index in zip(*np.nonzero(failing), strict=True):
        labels = {dim: str(values[dim].values[i]) for dim, i in zip(values.dims, index, strict=True)}
        target = labels.pop("kind", labels.pop("outcome", ""))
        out.append(f"{template.format(float(values.values[index]))} for {name}[{target}] given {labels.get('given')}")
    return out


def evidence_impacts(idata: az.InferenceData) -> dict[str, dict[str, float]]:
    """Per item: P(z=k|E) minus P(z=k|E without the item), from the exact leave-one-out weights."""
    mixture = idata.mixture
    impact = mixture["weight"].rename(given="outcome") - mixture["loo_probability"]
    return {
        str(item): {str(o): float(v) for o, v in row.items()}
        for item, row in impact.transpose("item", "outcome").to_pandas().iterrows()
    }


def evidence_items(items: list[LocatedItem], weights: np.ndarray, root: Path) -> dict[str, EvidenceEntry]:
    """What the briefing shows of each item used (in date order)."""
    return {
        located.item.id: EvidenceEntry(
            date=located.item.date,
            kind=located.item.kind,
            title=located.item.title,
            source=located.item.source,
            reliability=located.item.reliability,
            cluster=located.item.cluster,
            weight=float(weight),
            file=_relative(located.path, root),
        )
        for located, weight in zip(items, weights, strict=True)
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
