"""The assumptions a run is tested against, built from its inputs, and the sensitivity block they give.

Each alternative changes one thing: the reference class (each other named class), one link prior
(its mean one prior sd down and up), the drivers' drift (halved, doubled), the measurement noise
(every reading's sd halved, doubled), one source dropped, one cluster dropped. How each is answered
(exactly, by reweighting, or by a refit) is :mod:`forecast.analysis.sensitivity`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import arviz as az
import numpy as np

from forecast.analysis.sensitivity import (
    Case,
    DataChange,
    DriftChange,
    PriorChange,
    Refits,
    data_cases,
    drift_cases,
    prior_cases,
)
from forecast.model.attribution import EventImpact
from forecast.model.fit import Curves, Forecaster
from forecast.model.measured import MeasuredItem
from forecast.model.readings import Item, Readings
from forecast.reference.classes import REFERENCE_CLASSES
from forecast.reference.fit import fit_reference, known_at, rebased
from forecast.run_inputs import Inputs

DRIFT_FACTORS = (0.5, 2.0)
MEASURED_FACTORS = (0.5, 2.0)
NOISE_FACTORS = (0.5, 2.0)
_SOURCE_END = re.compile(r"[(,;]")


def source_name(source: str) -> str:
    """The publisher of a ``source`` field: the text before its first parenthesis, comma or semicolon.

    Analysts qualify sources ("AmericanPulse (seed 003, undated)"); the qualifier should not split
    one publisher into several for "what if this source is wrong".
    """
    return _SOURCE_END.split(source, maxsplit=1)[0].strip() or source.strip()


def reference_changes(inputs: Inputs, as_of: date, data: Path) -> list[PriorChange]:
    """The question's spec with each other named reference class (same conflict start and mismatch)."""
    own = inputs.question.reference
    known = known_at(as_of, data)  # read and split into episodes once for all classes
    out = []
    for name, cls in REFERENCE_CLASSES.items():
        if name == own.class_:
            continue
        alternative = own.model_copy(update={"class_": name, "filters": None})
        hazards = rebased(fit_reference(alternative, as_of, known=known), inputs.multipliers(name))
        out.append(PriorChange("reference", f"reference class: {name}", cls.description, inputs.spec(hazards=hazards)))
    return out


def link_changes(inputs: Inputs) -> list[PriorChange]:
    """Each link of the question's table with its prior mean one prior sd lower and higher."""
    table = [link.model_dump() for link in inputs.question.links.table]
    out = []
    for i, row in enumerate(table):
        for sign in (-1, 1):
            shifted = [*table[:i], {**row, "mean": row["mean"] + sign * row["sd"]}, *table[i + 1 :]]
            setting = f"mean {row['mean']:+.2f} -> {row['mean'] + sign * row['sd']:+.2f} ({sign:+d} sd)"
            assumption = f"link {row['transition']} | {row['driver']}"
            out.append(PriorChange("link", assumption, setting, inputs.spec(links=shifted)))
    return out


def drift_changes(inputs: Inputs) -> list[DriftChange]:
    """The drivers' stationary sd (how far they wander) scaled, at the same half-lives."""
    out = []
    for factor in DRIFT_FACTORS:
        drivers = tuple(replace(d, sd_median=d.sd_median * factor) for d in inputs.drivers)
        word = "halved" if factor < 1 else "doubled"
        out.append(DriftChange("drivers' drift", f"{word} (sd x{factor:g})", factor, inputs.spec(drivers=drivers)))
    return out


def scaled_noise(evidence: Readings, factor: float) -> Readings:
    """The same readings with every measurement sd multiplied by ``factor``."""
    return replace(evidence, sd=evidence.sd * factor)


def noise_changes(evidence: Readings) -> list[DataChange]:
    out = []
    for factor in NOISE_FACTORS:
        word = "halved" if factor < 1 else "doubled"
        out.append(
            DataChange("noise", "measurement noise", f"every reading's sd {word}", scaled_noise(evidence, factor))
        )
    return out


def source_changes(
    without_source: dict[str, tuple[int, list[Item], list[MeasuredItem]]], forecaster: Forecaster, as_of: date
) -> list[DataChange]:
    """The readings without each source's items (``{source: (items dropped, readings kept, measured kept)}``),
    clusters re-merged."""
    return [
        DataChange(
            "source", f"source: {name}", f"its {count} item(s) dropped", forecaster.readings(kept, as_of, measured)
        )
        for name, (count, kept, measured) in sorted(without_source.items())
    ]


def measured_changes(inputs: Inputs) -> list[PriorChange]:
    """Every measured log hazard ratio halved and doubled (history's weights, taken at half or twice their size)."""
    effects = inputs.effects
    if not effects.cells:
        return []
    out = []
    for factor in MEASURED_FACTORS:
        word = "halved" if factor < 1 else "doubled"
        scaled = replace(effects, log_mean=effects.log_mean * factor)
        spec = inputs.spec(effects=scaled)
        out.append(PriorChange("measured", "measured event weights", f"every log hazard ratio {word}", spec))
    return out


def cluster_cases(
    impacts: dict[str, EventImpact], clusters: dict[str, list[str]], base: np.ndarray, states: tuple[str, ...]
) -> list[Case]:
    """Each cluster dropped, from the run's own attribution (the same reweighting or refit, not redone)."""
    out = []
    for event, members in clusters.items():
        impact = impacts[event]
        change = {s: -impact.impact[s] for s in states}
        out.append(
            Case(
                group="cluster",
                assumption=f"cluster: {event}",
                setting=f"its {len(members)} reports dropped",
                outcomes={s: float(base[i] + change[s]) for i, s in enumerate(states)},
                change=change,
                method="refit" if impact.refitted else "reweighted",
                pareto_k=impact.pareto_k,
            )
        )
    return out


def sensitivity_cases(
    inputs: Inputs,
    forecaster: Forecaster,
    idata: az.InferenceData,
    evidence: Readings,
    curves: Curves,
    impacts: dict[str, EventImpact],
    clusters: dict[str, list[str]],
    without_source: dict[str, tuple[int, list[Item], list[MeasuredItem]]],
    data: Path,
    as_of: date,
    seed: int,
) -> list[Case]:
    """Every alternative of the run, answered (see the module docstring); ``data`` is the reference data folder."""
    horizon, state, states = inputs.question.horizon, inputs.state.state, curves.states
    per_draw = curves.horizon_draws()
    base = per_draw.mean(axis=0)
    spec = forecaster.spec
    priors = reference_changes(inputs, as_of, data) + link_changes(inputs) + measured_changes(inputs)
    refits = Refits(forecaster, evidence, as_of, horizon, state, seed)
    changes = noise_changes(evidence) + source_changes(without_source, forecaster, as_of)
    return [
        *prior_cases(idata, spec, priors, base, as_of, horizon, state, states),
        *drift_cases(drift_changes(inputs), base, states, refits),
        *data_cases(idata, spec, evidence, changes, per_draw, states, refits),
        *cluster_cases(impacts, clusters, base, states),
    ]
