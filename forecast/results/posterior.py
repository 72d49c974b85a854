"""Posterior -> the plain numbers of ``summary.json``: horizon chances, curves, drivers, impacts, checks."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import arviz as az
import numpy as np

from forecast.inputs.load import LocatedItem
from forecast.inputs.schema import Benchmark, Kind
from forecast.model.attribution import EventImpact as ModelImpact
from forecast.model.fit import QUANTILES, Curves, DriverSummary
from forecast.model.joint import FREE_VARS
from forecast.model.measured import MeasuredEffects, MeasuredItem, cell_key
from forecast.model.readings import Readings, strength
from forecast.reference.fit import HazardTable
from forecast.results.summary import (
    ESS_MIN,
    RHAT_MAX,
    BenchmarkComparison,
    CurvePoint,
    DriverState,
    Estimate,
    EventImpact,
    EventReading,
    EvidenceEntry,
    HazardSummary,
    MeasuredRatio,
    ReferenceSummary,
    WhyThisNumber,
    union_key,
)

Z90 = 1.6448536269514722  # the standard normal's 95% quantile: a central 90% interval


def horizon_estimates(curves: Curves, outcomes: list[str]) -> dict[str, Estimate]:
    """Each outcome's chance on the horizon date (the curves' last point), in the question's order."""
    index = {s: i for i, s in enumerate(curves.states)}
    return {
        o: Estimate(
            mean=float(curves.mean[-1, index[o]]),
            low=float(curves.low[-1, index[o]]),
            high=float(curves.high[-1, index[o]]),
        )
        for o in outcomes
    }


def curve_points(curves: Curves, outcomes: list[str]) -> dict[str, list[CurvePoint]]:
    """Weekly chances per outcome, from the as-of date to the horizon."""
    index = {s: i for i, s in enumerate(curves.states)}
    return {
        o: [
            CurvePoint(
                date=d,
                mean=float(curves.mean[k, index[o]]),
                low=float(curves.low[k, index[o]]),
                high=float(curves.high[k, index[o]]),
            )
            for k, d in enumerate(curves.dates)
        ]
        for o in outcomes
    }


def driver_states(summaries: dict[str, DriverSummary], descriptions: dict[str, str]) -> dict[str, DriverState]:
    return {
        d: DriverState(
            description=descriptions.get(d, d),
            level=Estimate(mean=s.level, low=s.level_low, high=s.level_high),
            change=Estimate(mean=s.change, low=s.change_low, high=s.change_high),
            trend=s.trend,  # type: ignore[arg-type]  # one of the three words, by construction
        )
        for d, s in summaries.items()
    }


def sampler_checks(idata: az.InferenceData) -> tuple[float, float, int, list[str]]:
    """R-hat max, bulk-ESS min, divergences and a warning for each parameter past a threshold."""
    names = [name for name in FREE_VARS if name in idata.posterior]
    posterior = idata.posterior[names]
    rhat, ess = az.rhat(posterior), az.ess(posterior, method="bulk")
    divergences = int(idata.sample_stats["diverging"].sum())
    worst = {name: float(rhat[name].max()) for name in names}
    least = {name: float(ess[name].min()) for name in names}
    warnings = [f"R-hat {worst[n]:.3f} > {RHAT_MAX} for {n}" for n in names if worst[n] > RHAT_MAX]
    warnings += [f"ESS {least[n]:.0f} < {ESS_MIN:.0f} for {n}" for n in names if least[n] < ESS_MIN]
    if divergences:
        warnings.append(f"{divergences} divergent transitions")
    return max(worst.values()), min(least.values()), divergences, warnings


def event_impacts(
    impacts: dict[str, ModelImpact],
    evidence: Readings,
    driver_ids: tuple[str, ...],
    members: dict[str, list[str]],
    dates: Mapping[str, date],
) -> dict[str, EventImpact]:
    """The attribution of every event, with what the event read: its strongest reading, and every
    reading when it reads several drivers (see :class:`~forecast.results.summary.EventImpact`)."""
    out = {}
    for event in evidence.events:
        impact = impacts[event]
        rows = sorted(
            evidence.rows_of(event),
            key=lambda j: -strength(float(evidence.reliability[j]), float(evidence.signal[j]), float(evidence.sd[j])),
        )
        readings = [
            EventReading(
                driver=driver_ids[int(evidence.driver[j])],
                signal=float(evidence.signal[j]),
                reliability=float(evidence.reliability[j]),
            )
            for j in rows
        ]
        out[event] = EventImpact(
            items=members[event],
            driver=readings[0].driver,
            signal=readings[0].signal,
            reliability=readings[0].reliability,
            readings=readings,
            date=dates[event],
            impact=impact.impact,
            pareto_k=float(impact.pareto_k),  # inf (tied weights) is written as Infinity, like NaN
            refitted=impact.refitted,
        )
    return out


def measured_impacts(
    impacts: dict[str, ModelImpact],
    measured: list[MeasuredItem],
    effects: MeasuredEffects,
    members: dict[str, list[str]],
    dates: Mapping[str, date],
) -> dict[str, EventImpact]:
    """The attribution of every measured event (exact leave-one-out), with the cell it raised."""
    out = {}
    by_event: dict[str, list[MeasuredItem]] = {}
    for item in measured:
        by_event.setdefault(item.cluster or item.id, []).append(item)
    for event, items in by_event.items():
        if event not in impacts:
            continue  # reported after the as-of date
        strongest = max(items, key=lambda i: i.reliability)
        impact = impacts[event]
        out[event] = EventImpact(
            items=members[event],
            basis="measured",
            cell=strongest.cell,
            conflicts=int(effects.conflicts.get(strongest.cell, 0)),
            reliability=1.0 - float(np.prod([1.0 - i.reliability for i in items if i.cell == strongest.cell])),
            date=dates[event],
            impact=impact.impact,
            pareto_k=float(impact.pareto_k),
            refitted=impact.refitted,
        )
    return out


def why_block(
    weights_rows: list[dict[str, Any]],
    effects: MeasuredEffects,
    presence_now: np.ndarray,
    impacts: dict[str, EventImpact],
    mismatch: float,
    bounded: list[str],
    backtest: str | None,
) -> WhyThisNumber:
    """The measured ratios of every cell present on the as-of date, and the measured / judgement split of the move."""
    present = {cell: float(presence_now[c]) for c, cell in enumerate(effects.cells) if presence_now[c] > 0}
    ratios = []
    for row in weights_rows:
        cell = cell_key(str(row["kind"]), row.get("attributes") or {})
        if cell not in present or row["transition"] not in effects.transitions:
            continue
        t, c = effects.transitions.index(row["transition"]), effects.cells.index(cell)
        mean, sd = effects.log_mean[t, c], effects.log_sd[t, c]
        ratios.append(
            MeasuredRatio(
                cell=cell,
                kind=str(row["kind"]),
                attributes=dict(row.get("attributes") or {}),
                transition=str(row["transition"]),
                hazard_ratio=float(row["hazard_ratio"]),
                low=float(row["low"]),
                high=float(row["high"]),
                used_low=float(np.exp(mean - Z90 * sd)),
                used_high=float(np.exp(mean + Z90 * sd)),
                conflicts=int(row.get("conflicts") or 0),
                events=int(row.get("events") or 0),
                presence=present[cell],
            )
        )
    outcomes = sorted({o for e in impacts.values() for o in e.impact})

    def total(basis: str) -> dict[str, float]:
        return {o: float(sum(e.impact.get(o, 0.0) for e in impacts.values() if e.basis == basis)) for o in outcomes}

    lead = max(outcomes, key=lambda o: sum(abs(e.impact.get(o, 0.0)) for e in impacts.values()), default="war")

    def size(basis: str) -> float:
        return float(sum(abs(e.impact.get(lead, 0.0)) for e in impacts.values() if e.basis == basis))

    every = size("measured") + size("judgement")

    return WhyThisNumber(
        half_life_weeks=effects.half_life_weeks,
        mismatch=mismatch,
        strongest=float(np.exp(effects.strongest())),
        ratios=ratios,
        measured_change=total("measured"),
        judgement_change=total("judgement"),
        judgement_share=size("judgement") / every if every > 0 else 0.0,
        bounded_links=bounded,
        backtest=backtest,
    )


def evidence_entries(items: list[LocatedItem], kinds: dict[str, Kind], root: Path) -> dict[str, EvidenceEntry]:
    """What the briefing shows of each item used (in date order)."""
    out = {}
    for located in items:
        item = located.item
        kind = kinds[item.kind]
        attributes = item.measured_attributes(kind)
        basis: Literal["judgement", "measured", "observed"] = (
            "observed" if item.is_transition else ("measured" if attributes is not None else "judgement")
        )
        reading = item.reading(kind)
        out[item.id] = EvidenceEntry(
            date=item.date,
            reported=item.reported,
            kind=item.kind,
            title=item.title,
            source=item.source,
            reliability=item.reliability,
            cluster=item.cluster,
            driver=reading.driver if reading else None,
            signal=reading.signal if reading else None,
            state=item.state,
            basis=basis,
            cell=None if attributes is None else cell_key(item.kind, attributes),
            event=None if item.is_transition else (item.cluster or item.id),
            file=_relative(located.path, root),
        )
    return out


def reference_summary(table: HazardTable, no_evidence: dict[str, Estimate]) -> ReferenceSummary:
    return ReferenceSummary(
        reference_class=table.reference_class,
        mismatch=table.mismatch,
        data_last_year=table.data_last_year,
        hazards={
            r.transition: HazardSummary(events=r.events, exposure=r.exposure, mean=r.mean, low=r.low, high=r.high)
            for r in table.rows
        },
        no_evidence=no_evidence,
        event_multiplier=table.event_multiplier,
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def union_draws(curves: Curves, outcomes: list[str]) -> np.ndarray:
    """(draws, dates): per draw, P(the state is one of ``outcomes``); summed before summarising, since
    the quantiles of a sum are not the sum of the quantiles."""
    index = [curves.states.index(o) for o in outcomes]
    return curves.draws[:, :, index].sum(axis=2)


def _estimate(values: np.ndarray) -> Estimate:
    low, high = np.quantile(values, QUANTILES)
    return Estimate(mean=float(values.mean()), low=float(low), high=float(high))


def union_estimate(curves: Curves, outcomes: list[str], day: date) -> Estimate | None:
    """P(the state on ``day`` is one of ``outcomes``), linear in time between the weekly curve dates.

    None before the first curve date (the as-of date): the run forecasts nothing that has passed.
    """
    dates = curves.dates
    if day < dates[0]:
        return None
    if day > dates[-1]:
        raise ValueError(f"{day} is after the last forecast date {dates[-1]}")
    per_draw = union_draws(curves, outcomes)
    k = bisect.bisect_right(dates, day) - 1  # the last curve date on or before ``day``
    if dates[k] == day:
        return _estimate(per_draw[:, k])
    weight = (day - dates[k]).days / (dates[k + 1] - dates[k]).days
    return _estimate((1 - weight) * per_draw[:, k] + weight * per_draw[:, k + 1])


def union_curve(curves: Curves, outcomes: list[str]) -> list[CurvePoint]:
    """The union's chance on every curve date, with its interval (what the benchmarks are charted on)."""
    per_draw = union_draws(curves, outcomes)
    return [CurvePoint(date=d, **_estimate(per_draw[:, k]).model_dump()) for k, d in enumerate(curves.dates)]


def benchmark_comparisons(benchmarks: list[Benchmark], curves: Curves, as_of: date) -> list[BenchmarkComparison]:
    """Each outside forecast seen on or before ``as_of`` (no look-ahead) beside this run's number."""
    return [
        BenchmarkComparison(**b.model_dump(), ours=union_estimate(curves, b.outcomes, b.by))
        for b in benchmarks
        if b.seen <= as_of
    ]


def union_curves(comparisons: list[BenchmarkComparison], curves: Curves) -> dict[str, list[CurvePoint]]:
    """One curve per distinct union the benchmarks map to."""
    unions = {union_key(c.outcomes): c.outcomes for c in comparisons}
    return {key: union_curve(curves, outcomes) for key, outcomes in sorted(unions.items())}
