"""What if: the forecast with hypothetical items added or real ones removed, next to the recorded run.

Nothing is written. The evidence is changed in memory and goes through the same steps as a run
(:func:`forecast.run_inputs.model_items`, :func:`~forecast.run_inputs.current_state` and
:func:`forecast.horizon.horizon_forecast`, same seed and settings), so the "after" column is what
``forecast run`` would say with that evidence folder. Added files are validated exactly as evidence
is, and obey the no-look-ahead rule: an added item reported after the as-of date is left out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from forecast.errors import InputError, Problem
from forecast.horizon import compile_forecaster, horizon_forecast
from forecast.inputs.load import LocatedItem, cluster_problems, load_evidence, split_by_date
from forecast.model.fit import Forecaster
from forecast.results.summary import SUMMARY_NAME, Summary, read_document
from forecast.run_inputs import Inputs, RunConfig, current_state, load_inputs, model_items, run_id
from forecast.store.runs import is_run_dir, run_dir

CLOSE_MATCHES = 5


class UnknownId(Exception):
    """A ``--drop`` id that is neither an item id nor a cluster id of the evidence."""


@dataclass(frozen=True)
class WhatIf:
    """Before and after, per outcome (mean chance on the horizon), and what changed."""

    before: dict[str, float]
    after: dict[str, float]
    horizon: date
    labels: dict[str, str]  # outcome id -> label, in the question's order
    added: list[str]  # ids of added items used (reported on or before the as-of date)
    dropped: list[str]  # ids of real items removed (a cluster id removes all its reports)
    recorded_run: str | None  # the run id the "before" column is, or None: fitted now
    recorded_current: bool  # the recorded run was made with the current inputs, seed and settings
    left_out: list[str]  # added items reported after the as-of date


def what_if(config: RunConfig, add: list[Path], drop: list[str], forecaster: Forecaster | None = None) -> WhatIf:
    """The forecast of ``config`` with the items of ``add`` and without those named in ``drop``.

    ``forecaster``: a model already compiled for this question and as-of date (tests reuse one).
    """
    inputs = load_inputs(config)
    extra = load_added(add, inputs)
    removed = dropped_items(drop, inputs)
    changed = with_evidence(inputs, extra, removed, config)
    recorded = recorded_summary(config, inputs)
    forecaster = forecaster or compile_forecaster(inputs, config.settings)
    if recorded is None:  # nothing recorded for the date: fit the baseline now, same seed and settings
        before = horizon_means(config, inputs, forecaster)
    else:
        before = {o: recorded.outcomes[o].mean for o in inputs.question.outcome_ids}
    used, later = split_by_date(extra, config.as_of)
    current = run_id(config.as_of, inputs.hashes, config.run_seed, config.settings)
    return WhatIf(
        before=before,
        after=horizon_means(config, changed, forecaster),
        horizon=inputs.question.horizon,
        labels={o.id: o.label for o in inputs.question.outcomes},
        added=[i.item.id for i in used],
        dropped=sorted(removed),
        recorded_run=None if recorded is None else recorded.run_id,
        recorded_current=recorded is not None and recorded.run_id == current,
        left_out=[i.item.id for i in later],
    )


def horizon_means(config: RunConfig, inputs: Inputs, forecaster: Forecaster) -> dict[str, float]:
    """Each outcome's mean chance on the horizon, computed exactly as a run computes it."""
    curves = horizon_forecast(config, inputs, forecaster).curves
    means = curves.horizon()
    return {o: means[o] for o in inputs.question.outcome_ids}


def load_added(paths: list[Path], inputs: Inputs) -> list[LocatedItem]:
    """The items of the added files, validated as evidence; an id already in use is an error."""
    seen = {i.item.id: i for i in inputs.used + inputs.later}
    items: list[LocatedItem] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            found = load_evidence(path, inputs.question, inputs.kinds)
        except InputError as error:
            problems += error.problems
            continue
        for located in found:
            earlier = seen.get(located.item.id)
            if earlier is not None:
                where = f"{earlier.path}:{earlier.line}"
                problems.append(
                    Problem(str(path), located.line, "id", f"duplicate id {located.item.id!r} (also in {where})")
                )
                continue
            seen[located.item.id] = located
            items.append(located)
    if not problems:  # an added report of a recorded cluster must agree with its reports, as in one folder
        problems = cluster_problems(inputs.used + inputs.later + items)  # the recorded ones alone have none
    if problems:
        raise InputError.of(problems)
    return items


def dropped_items(ids: list[str], inputs: Inputs) -> set[str]:
    """The item ids named by ``ids`` (item ids or cluster ids); an unknown id lists close matches."""
    everything = inputs.used + inputs.later
    out: set[str] = set()
    for wanted in ids:
        matched = {i.item.id for i in everything if wanted in (i.item.id, i.item.cluster)}
        if not matched:
            raise UnknownId(unknown_id_message(wanted, everything))
        out |= matched
    return out


def unknown_id_message(wanted: str, items: list[LocatedItem]) -> str:
    """Why ``wanted`` cannot be dropped, with the ids it most resembles."""
    names = sorted({i.item.id for i in items} | {i.item.cluster for i in items if i.item.cluster})
    close = difflib.get_close_matches(wanted, names, n=CLOSE_MATCHES, cutoff=0.5)
    close += [n for n in names if wanted in n and n not in close][: CLOSE_MATCHES - len(close)]
    hint = f"; close matches: {', '.join(close)}" if close else "; `forecast evidence list` shows the ids"
    return f"--drop {wanted}: no evidence item or cluster has this id{hint}"


def with_evidence(inputs: Inputs, extra: list[LocatedItem], removed: set[str], config: RunConfig) -> Inputs:
    """The inputs as a run would load them from a folder holding ``extra`` and lacking ``removed``.

    ``hashes`` stay those of the real files: a what-if names no run and writes no manifest.
    """
    everything = [i for i in inputs.used + inputs.later if i.item.id not in removed] + extra
    everything.sort(key=lambda located: (located.item.date, located.item.id))  # the order load_evidence gives
    used, later = split_by_date(everything, config.as_of)
    readings, measured = model_items(used, inputs.kinds)
    return replace(
        inputs,
        used=used,
        later=later,
        items=readings,
        measured=measured,
        state=current_state(used, config.as_of),
    )


def recorded_summary(config: RunConfig, inputs: Inputs) -> Summary | None:
    """The summary of the run recorded for this as-of date and question under ``config.out``, if any."""
    folder = run_dir(config.out, inputs.question.id, config.as_of)
    if not is_run_dir(folder):
        return None
    summary = read_document(folder / SUMMARY_NAME, Summary)
    return summary if summary.question.id == inputs.question.id else None
