"""The analyst blocks of a run: the sensitivity block (each assumption moved) and the signposts (what to watch).

The cases are built by :mod:`forecast.analysis.assumptions` and answered by
:mod:`forecast.analysis.sensitivity`; the signposts by :mod:`forecast.analysis.signposts`. This module
runs them for one fit and turns their answers into the blocks of ``summary.json``.
"""

from __future__ import annotations

import time
from dataclasses import asdict

import numpy as np

from forecast.analysis.assumptions import sensitivity_cases, source_name
from forecast.analysis.sensitivity import Case, Group
from forecast.analysis.signposts import Hypothesis, OneMore, one_more, pathway
from forecast.analysis.signposts import Pathway as ModelPathway
from forecast.horizon import HorizonForecast
from forecast.inputs.load import (
    reference_dir,
)
from forecast.inputs.schema import RELIABILITY_WORDS, Kind
from forecast.model.attribution import EventImpact
from forecast.model.fit import Forecaster
from forecast.model.measured import MeasuredItem, cell_key
from forecast.model.readings import Item
from forecast.results.summary import (
    OneMoreEvent,
    Pathway,
    Sensitivity,
    SensitivityCase,
    SensitivityRow,
    Signposts,
)
from forecast.run_inputs import Inputs, RunConfig, model_items
from forecast.states import STATES

SIGNPOST_RELIABILITY = RELIABILITY_WORDS["high"]


def analyst_blocks(
    config: RunConfig,
    inputs: Inputs,
    forecaster: Forecaster,
    forecast: HorizonForecast,
    impacts: dict[str, EventImpact],
    members: dict[str, list[str]],
) -> tuple[Sensitivity, Signposts]:
    """The sensitivity block (each assumption moved) and the signposts (what to watch) of a run."""
    question, as_of, seed, state = inputs.question, config.as_of, config.run_seed, inputs.state.state
    evidence, idata, curves = forecast.evidence, forecast.idata, forecast.curves
    named = {i.cluster for i in inputs.items} | {i.cluster for i in inputs.measured}
    clusters = {event: ids for event, ids in members.items() if event in named}
    started = time.perf_counter()
    data = reference_dir(config.priors)
    cases = sensitivity_cases(
        inputs, forecaster, idata, evidence, curves, impacts, clusters, without_sources(inputs), data, as_of, seed
    )
    sensitivity = sensitivity_block(cases, curves.horizon(), time.perf_counter() - started)
    per_draw = curves.horizon_draws()
    hypotheses = signpost_hypotheses(inputs.kinds)
    seen: dict[bytes, np.ndarray] = {}  # one fit's measured presence tables, answered once for both
    singles = one_more(
        forecaster, idata, evidence, hypotheses, per_draw, as_of, question.horizon, state, STATES, seed, seen
    )
    path = pathway(forecaster, idata, evidence, singles, per_draw, as_of, question.horizon, state, STATES, seen)
    return sensitivity, signposts_block(singles, path, SIGNPOST_RELIABILITY)


def signpost_hypotheses(kinds: dict[str, Kind]) -> list[Hypothesis]:
    """One more event of each kind with a default reading that moves its driver (a well-sourced report),
    and one of each cell of the measured kinds."""
    readings = [
        Hypothesis(name, kind.driver, kind.signal, kind.sd, SIGNPOST_RELIABILITY)
        for name, kind in kinds.items()
        if kind.driver is not None and kind.signal and kind.sd is not None
    ]
    measured = [
        Hypothesis(cell_key(name, attributes), "", 0.0, 0.0, SIGNPOST_RELIABILITY, cell=cell_key(name, attributes))
        for name, kind in kinds.items()
        for attributes in kind.cells()
    ]
    return readings + measured


def without_sources(inputs: Inputs) -> dict[str, tuple[int, list[Item], list[MeasuredItem]]]:
    """For each source of the evidence: how many items it gave, and the readings and measured items without them."""
    names = sorted({source_name(u.item.source) for u in inputs.used if not u.item.is_transition})
    out = {}
    for name in names:
        kept = [u for u in inputs.used if source_name(u.item.source) != name]
        out[name] = (len(inputs.used) - len(kept), *model_items(kept, inputs.kinds))
    return out


def sensitivity_block(cases: list[Case], base: dict[str, float], seconds: float) -> Sensitivity:
    """Cases grouped by assumption, each row's swing on the leading outcome, largest swing first."""
    outcome = max(base, key=lambda s: base[s])
    rows: dict[tuple[Group, str], list[Case]] = {}
    for case in cases:
        rows.setdefault((case.group, case.assumption), []).append(case)
    built = [
        SensitivityRow(
            group=group,
            assumption=assumption,
            swing=max(abs(c.change[outcome]) for c in members),
            cases=[
                SensitivityCase(
                    setting=c.setting, outcomes=c.outcomes, change=c.change, method=c.method, pareto_k=c.pareto_k
                )
                for c in members
            ],
        )
        for (group, assumption), members in rows.items()
    ]
    return Sensitivity(
        outcome=outcome,
        base=base,
        rows=sorted(built, key=lambda r: -r.swing),
        refits=sum(c.method == "refit" for c in cases),
        seconds=round(seconds, 2),
    )


def signposts_block(singles: list[OneMore], path: ModelPathway, reliability: float) -> Signposts:
    """One more event of each kind, and the pathway across 50%, as ``summary.json`` holds them."""
    return Signposts(
        reliability=reliability,
        one_more=[
            OneMoreEvent(
                kind=m.hypothesis.kind,
                driver=m.hypothesis.driver,
                signal=m.hypothesis.signal,
                reliability=m.hypothesis.reliability,
                change=m.change,
                pareto_k=m.pareto_k,
                method=m.method,
            )
            for m in singles
        ],
        pathway=Pathway(**asdict(path)),
    )
