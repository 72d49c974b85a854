"""fit_reference: the hazard table for a question, and its no-evidence forecasts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.process import constant_state_path, constant_state_probabilities
from forecast.reference.classes import ReferenceFilters
from forecast.reference.data import ReferenceData, build_episodes, information_at, load_reference_data
from forecast.reference.hazards import (
    PRIOR_RATE,
    PRIOR_SHAPE,
    AgeBandRow,
    HazardRow,
    age_band,
    age_band_rows,
    duration_test,
    hazard_rows,
    recurrence_band_rows,
    transition_counts,
    war_years,
    with_fallback,
)
from forecast.reference.spec import ReferenceSpec
from forecast.states import STATES

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class HazardTable:
    """Baseline hazards for the question: one row per transition plus the age-band table."""

    reference_class: str
    filters: ReferenceFilters
    as_of: date
    data_last_year: int
    conflict_start: date
    conflict_age_years: float
    conflict_age_band: str
    mismatch: float
    prior: dict[str, float]
    rows: list[HazardRow]
    other_exits: dict[str, float]
    age_bands: list[AgeBandRow]
    duration_test: dict[str, float]
    recurrence_bands: list[AgeBandRow]
    provenance: str = ""
    notes: list[str] = field(default_factory=list)
    event_multiplier: dict[str, float] = field(default_factory=dict)  # re-based rows: class rate / this

    def row(self, transition: str) -> HazardRow:
        """The row of one transition, e.g. 'war->deal'."""
        return next(r for r in self.rows if r.transition == transition)

    def table_rows(self) -> list[dict[str, object]]:
        """One plain dict per transition, the columns a printed table needs."""
        keys = ("transition", "events", "exposure", "mean", "low", "high", "log_mu", "log_sd_used", "observed")
        return [{k: getattr(r, k) for k in keys} for r in self.rows]

    def age_band_rows(self) -> list[dict[str, object]]:
        """One plain dict per (war exit, age band)."""
        return [b.to_dict() for b in self.age_bands]

    def to_text(self) -> str:
        """A fixed-width table of the hazards, then the age bands (for the terminal)."""
        lines = [
            f"Reference class {self.reference_class} (data to {self.data_last_year}, mismatch {self.mismatch:g}); "
            f"conflict age {self.conflict_age_years:.2f} y ({self.conflict_age_band})",
            f"{'transition':<16}{'events':>7}{'years':>9}{'rate/yr':>9}{'90% low':>9}{'90% high':>9}"
            f"{'log mu':>8}{'log sd':>8}",
        ]
        for r in self.rows:
            ev = "-" if r.events is None else str(r.events)
            ex = "-" if r.exposure is None else f"{r.exposure:.0f}"
            lines.append(
                f"{r.transition:<16}{ev:>7}{ex:>9}{r.mean:>9.4f}{r.low:>9.4f}{r.high:>9.4f}"
                f"{r.log_mu:>8.2f}{r.log_sd_used:>8.2f}"
            )
        lines.append("")
        lines.append(f"{'war exit by age':<16}{'band':>10}{'events':>7}{'years':>7}{'rate/yr':>9}{'90% interval':>18}")
        for b in self.age_bands:
            lines.append(
                f"{b.transition:<16}{b.band:>10}{b.events:>7}{b.exposure:>7.0f}{b.mean:>9.4f}"
                f"{f'[{b.low:.3f}, {b.high:.3f}]':>18}"
            )
        lines.append(
            f"{'return to war':<16}{'since end':>10}{'events':>7}{'years':>7}{'rate/yr':>9}{'90% interval':>18}"
        )
        for b in self.recurrence_bands:
            lines.append(
                f"{b.transition:<16}{b.band:>10}{b.events:>7}{b.exposure:>7.0f}{b.mean:>9.4f}"
                f"{f'[{b.low:.3f}, {b.high:.3f}]':>18}"
            )
        t = self.duration_test
        lines.append(
            f"constant-hazard test (war->any): LR {t['statistic']:.1f}, df {t['df']:.0f}, p {t['p_value']:.2g}"
        )
        return "\n".join([*lines, *self.notes])

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: dates as ISO strings, rows as plain dicts."""
        out = asdict(self)
        out["filters"] = self.filters.model_dump()
        out["as_of"] = self.as_of.isoformat()
        out["conflict_start"] = self.conflict_start.isoformat()
        return out


def conflict_age(conflict_start: date, as_of: date) -> float:
    """Years since the conflict started."""
    return (as_of - conflict_start).days / DAYS_PER_YEAR


@dataclass(frozen=True, eq=False)
class Known:
    """The reference data known at an as-of date and its episodes: the same for every class."""

    data: ReferenceData
    episodes: pd.DataFrame


def known_at(as_of: date, data_dir: Path | None = None) -> Known:
    """Rows known before ``as_of``'s year (all data if as_of is later) and the episodes they make."""
    data = information_at(load_reference_data(data_dir), as_of.year)
    return Known(data, build_episodes(data))


def fit_reference(
    spec: ReferenceSpec, as_of: date, data_dir: Path | None = None, known: Known | None = None
) -> HazardTable:
    """Hazards from the data known at ``as_of``; ``known`` (from :func:`known_at`) saves re-reading the
    files when several classes are fitted for one date."""
    known = known or known_at(as_of, data_dir)
    data, episodes = known.data, known.episodes
    filters = spec.resolved_filters()
    broad = ReferenceFilters(min_age_years=filters.min_age_years)
    counts, borrowed = with_fallback(
        transition_counts(episodes, filters, data.last_year), transition_counts(episodes, broad, data.last_year)
    )
    bands = age_band_rows(war_years(episodes, filters, ignore_age=True))
    age = conflict_age(spec.conflict_start, as_of)
    notes = [
        "Victory, actor ceasing to exist and uncoded endings leave the risk set (censored competing risk).",
        "ceasefire->deal and frozen->deal are not recorded in the data: assumed Gamma(1, 20).",
    ]
    if borrowed:
        notes.append(f"No exposure in the class for {', '.join(borrowed)}: counts borrowed from all conflicts.")
    if age < filters.min_age_years:
        notes.append(f"The conflict ({age:.2f} years) is younger than the class's minimum age {filters.min_age_years}.")
    return HazardTable(
        reference_class=spec.class_,
        filters=filters,
        as_of=as_of,
        data_last_year=data.last_year,
        conflict_start=spec.conflict_start,
        conflict_age_years=age,
        conflict_age_band=age_band(max(int(np.floor(age)), 0)),
        mismatch=spec.mismatch,
        prior={"a": PRIOR_SHAPE, "b": PRIOR_RATE},
        rows=hazard_rows(counts, spec.mismatch),
        other_exits={"events": counts["war->other"].events, "exposure": counts["war->other"].exposure},
        age_bands=bands,
        duration_test=duration_test(bands),
        recurrence_bands=recurrence_band_rows(episodes, filters, data.last_year),
        provenance=spec.provenance,
        notes=notes,
    )


def rebased(table: HazardTable, multiplier: dict[str, float]) -> HazardTable:
    """The no-event baseline: each listed transition's hazard divided by its event multiplier.

    The class's rate averages over months with and without recent measured events; the multiplier
    (from the fit that measured the events, :mod:`forecast.calibration`) is that average of
    ``exp(sum_k gamma_k e_k(t))`` over the class's months at risk, so rate / multiplier is the rate
    with no recent event, the baseline the measured effects are applied to. The Gamma posterior is
    scaled (rate x m), so its spread in log terms is unchanged.
    """
    factors = {t: float(m) for t, m in multiplier.items() if t in {r.transition for r in table.rows}}
    if any(not (np.isfinite(m) and m > 0) for m in factors.values()):
        raise ValueError(f"event multipliers must be positive: {factors}")
    rows = []
    for r in table.rows:
        m = factors.get(r.transition, 1.0)
        log_m = float(np.log(m))
        rows.append(
            replace(
                r,
                rate=r.rate * m,
                mean=r.mean / m,
                median=r.median / m,
                low=r.low / m,
                high=r.high / m,
                log_mu=r.log_mu - log_m,
                log_mu_used=r.log_mu_used - log_m,
            )
        )
    shown = ", ".join(f"{t} /{m:.2f}" for t, m in factors.items())
    note = f"No-event baseline: the class's rates divided by the measured event multiplier ({shown})."
    return replace(table, rows=rows, event_multiplier=factors, notes=[*table.notes, note])


def hazard_draws(table: HazardTable, draws: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Draws of every hazard: the Gamma posterior times a mean-one log-normal factor of log-sd log(mismatch),
    so the log-sd matches ``log_sd_used`` and the mismatch widens the spread without raising the mean."""
    rng = np.random.default_rng(seed)
    spread = np.log(table.mismatch)
    out: dict[str, np.ndarray] = {}
    for r in table.rows:
        base = rng.gamma(r.shape, 1.0 / r.rate, size=draws)
        out[r.transition] = base * np.exp(spread * rng.standard_normal(draws) - 0.5 * spread**2)
    return out


def summarise(p: np.ndarray, level: float = 0.90) -> dict[str, dict[str, float]]:
    """Mean and central interval per state from draws (..., 4)."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(p, [tail, 1.0 - tail], axis=0)
    mean = p.mean(axis=0)
    return {s: {"mean": float(mean[i]), "low": float(low[i]), "high": float(high[i])} for i, s in enumerate(STATES)}


def no_evidence_probabilities(
    table: HazardTable, start_state: str, as_of: date, horizon: date, draws: int = 4000, seed: int = 0
) -> dict[str, dict[str, float]]:
    """P(state at horizon) from the reference hazards alone, with 90% intervals over hazard draws."""
    years = (horizon - as_of).days / DAYS_PER_YEAR
    if years < 0:
        raise ValueError("horizon is before as_of")
    return summarise(constant_state_probabilities(hazard_draws(table, draws, seed), start_state, years))


def no_evidence_curve(
    table: HazardTable, start_state: str, as_of: date, horizon: date, draws: int = 4000, seed: int = 0
) -> list[dict[str, object]]:
    """Weekly {date, war: {mean, low, high}, ...} from as_of + 7 days; the horizon itself is the last point."""
    hazards = hazard_draws(table, draws, seed)
    full_weeks = (horizon - as_of).days // 7
    dates = [as_of + timedelta(days=7 * (w + 1)) for w in range(full_weeks)]
    paths = list(constant_state_path(hazards, start_state, 7 / DAYS_PER_YEAR, full_weeks)) if full_weeks else []
    if not dates or dates[-1] != horizon:
        dates.append(horizon)
        paths.append(constant_state_probabilities(hazards, start_state, (horizon - as_of).days / DAYS_PER_YEAR))
    return [{"date": d.isoformat(), **summarise(p)} for d, p in zip(dates, paths, strict=True)]
