"""Evidence weights: the measured hazard ratios per kind cell and transition, as one JSON document.

``priors/reference/evidence_weights.json`` is written by ``scripts/fit_weights.py`` (fixed seed) and
read by :func:`load_weights`. The forecaster calls :meth:`EvidenceWeights.effect`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forecast.calibration.events import CELLS, EVENTS_FILE, find_cell, load_events
from forecast.calibration.model import HALF_LIVES, fit_nuts, profile
from forecast.calibration.panel import TRANSITIONS, Panel, build_panel
from forecast.errors import InputError
from forecast.reference.classes import REFERENCE_CLASSES, reference_class
from forecast.reference.data import ACD_FILE, TERMINATION_FILE, load_reference_data, resolve_data_dir

SCHEMA_VERSION = 1
WEIGHTS_FILE = "evidence_weights.json"
WEEKS_PER_MONTH = 365.25 / 7 / 12
INTERVAL = (0.05, 0.95)


class WeightRow(BaseModel):
    """One kind cell and transition: the posterior of gamma and the data behind it."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    attributes: dict[str, str]
    transition: str
    hazard_ratio: float
    low: float
    high: float
    log_mean: float
    log_sd: float
    conflicts: int
    events: int
    half_life_weeks: float
    outcome: bool


class ProfilePoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    half_life_weeks: float
    log_lik: float


class PanelInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    years: list[int]
    months_at_risk: int
    conflicts: int
    episodes: int
    endings: dict[str, int]
    reference_class: str


class Diagnostics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rhat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int


class EvidenceWeights(BaseModel):
    """The file ``evidence_weights.json``."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    data_sha256: dict[str, str]
    panel: PanelInfo
    half_life_weeks: float
    half_life_profile: list[ProfilePoint]
    rows: list[WeightRow]
    baseline_multiplier: dict[str, dict[str, float]] = Field(
        description="Per reference class and transition: mean over the class's at-risk months of "
        "exp(sum_k gamma_k e_k). The no-event baseline is the class rate divided by this."
    )
    diagnostics: Diagnostics
    sampler: dict[str, object]
    as_of: str | None
    backtest_verdict: str | None = Field(
        default=None, description="the evidence backtest's verdict in one sentence (scripts/fit_weights.py --backtest)"
    )

    def skill_sentence(self) -> str | None:
        """Whether measured events added skill out of sample, as the shipped backtest found (None: not run)."""
        return self.backtest_verdict

    def effect(self, kind: str, attributes: dict[str, str] | None = None) -> dict[str, tuple[float, float]]:
        """(log_mean, log_sd) of the log hazard ratio per transition for one kind cell.

        Raises KeyError for a cell that was not measured and ValueError for an outcome cell (a signed
        comprehensive agreement is the ending itself, never evidence).
        """
        wanted = dict(attributes or {})
        find_cell(kind, wanted)  # KeyError with the choices
        rows = [r for r in self.rows if r.kind == kind and r.attributes == wanted]
        if any(r.outcome for r in rows):
            raise ValueError(f"{kind} {wanted} is an outcome (the ending it codes), not evidence")
        return {r.transition: (r.log_mean, r.log_sd) for r in rows}


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(path, None, "", f"cannot read: {exc}") from None


def data_hashes(data_dir: Path | None = None) -> dict[str, str]:
    folder = resolve_data_dir(data_dir)
    return {name: _sha(folder / name) for name in (EVENTS_FILE, TERMINATION_FILE, ACD_FILE)}


def weights_path(data_dir: Path | None = None) -> Path:
    return resolve_data_dir(data_dir) / WEIGHTS_FILE


def load_weights(data_dir: Path | None = None) -> EvidenceWeights:
    """The shipped weights (``priors/reference/evidence_weights.json``); problems are InputErrors naming the file."""
    path = weights_path(data_dir)
    try:
        return EvidenceWeights.model_validate_json(path.read_text())
    except OSError as exc:
        raise InputError(path, None, "", f"cannot read the evidence weights: {exc}") from None
    except ValidationError as exc:
        raise InputError(path, None, "", f"not an evidence-weights file: {exc.errors()[0]['msg']}") from None


def class_mask(panel: Panel, name: str) -> np.ndarray:
    """Rows of an unfiltered panel inside a reference class (same cut as ``build_panel(filters=...)``)."""
    f = reference_class(name).filters
    rows = panel.rows
    keep = rows["age"].to_numpy() >= f.min_age_years
    if f.interstate_only:
        keep &= rows["interstate"].to_numpy(dtype=bool)
    if f.war_intensity_only:
        keep &= rows["year"].to_numpy() >= np.nan_to_num(rows["first_war_year"].to_numpy(), nan=np.inf)
    return keep


def baseline_multipliers(panel: Panel, half_life: float, gamma: np.ndarray, max_draws: int = 400) -> dict:
    """Per class and transition: posterior mean of mean_t exp(sum_k gamma_k e_k(t)) over the class's months."""
    e = panel.e(half_life)
    step = max(1, len(gamma) // max_draws)
    g = gamma[::step]  # draws x cells x transitions
    out: dict[str, dict[str, float]] = {}
    for name in REFERENCE_CLASSES:
        mask = class_mask(panel, name)
        if not mask.any():
            out[name] = dict.fromkeys(TRANSITIONS, 1.0)
            continue
        em = e[mask]
        out[name] = {t: float(np.exp(np.einsum("rk,sk->sr", em, g[:, :, j])).mean()) for j, t in enumerate(TRANSITIONS)}
    return out


def weight_rows(panel: Panel, half_life: float, gamma: np.ndarray) -> list[WeightRow]:
    counts = panel.event_counts()
    rows = []
    for k, c in enumerate(CELLS):
        events, conflicts = counts[c.key]
        for j, t in enumerate(TRANSITIONS):
            g = gamma[:, k, j]
            low, high = np.quantile(g, INTERVAL)
            rows.append(
                WeightRow(
                    kind=c.kind,
                    attributes=c.attrs,
                    transition=t,
                    hazard_ratio=float(np.exp(np.median(g))),
                    low=float(np.exp(low)),
                    high=float(np.exp(high)),
                    log_mean=float(g.mean()),
                    log_sd=float(g.std(ddof=1)),
                    conflicts=conflicts,
                    events=events,
                    half_life_weeks=half_life * WEEKS_PER_MONTH,
                    outcome=c.outcome,
                )
            )
    return rows


def fit_weights(
    data_dir: Path | None = None,
    as_of: date | None = None,
    reference_class: str = "all_conflicts",
    draws: int = 500,
    tune: int = 500,
    chains: int = 2,
    seed: int = 20260515,
    half_lives: tuple[float, ...] = HALF_LIVES,
    progress: Callable[[str], None] | None = None,
) -> EvidenceWeights:
    """Profile the half-life with the MAP GLM, then NUTS at the best one; rows, multipliers, diagnostics."""
    say = progress or (lambda _m: None)
    data = load_reference_data(data_dir)
    events = load_events(data_dir)
    full = build_panel(data, events, as_of=as_of)
    panel = full.subset(class_mask(full, reference_class))
    if not len(panel.rows):
        raise ValueError(f"no months at risk in class {reference_class!r} at {as_of}")
    say(f"panel: {len(panel.rows)} months at risk, {panel.rows['conflict_id'].nunique()} conflicts")
    best, points = profile(panel, half_lives)
    say("half-life profile: " + ", ".join(f"{h:g} mo {ll:.1f}" for h, ll in points) + f"; best {best:g} months")
    fit = fit_nuts(panel, best, draws=draws, tune=tune, chains=chains, seed=seed, progress=say)
    info = panel.summary()
    return EvidenceWeights(
        data_sha256=data_hashes(data_dir),
        panel=PanelInfo(reference_class=reference_class, **info),  # type: ignore[arg-type]
        half_life_weeks=best * WEEKS_PER_MONTH,
        half_life_profile=[ProfilePoint(half_life_weeks=h * WEEKS_PER_MONTH, log_lik=ll) for h, ll in points],
        rows=weight_rows(panel, best, fit.gamma),
        baseline_multiplier=baseline_multipliers(full, best, fit.gamma),
        diagnostics=Diagnostics(**fit.diagnostics),  # type: ignore[arg-type]
        sampler={**fit.settings, "half_lives_months": list(half_lives)},
        as_of=None if as_of is None else as_of.isoformat(),
    )
