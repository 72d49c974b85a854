"""The briefing's analyst sections: how much rests on each assumption (tornado) and what to watch."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from forecast.results.summary import Sensitivity, Signposts, Summary

from . import charts
from .wep import format_pct, format_pp
from .why import KIND_WORDS, cell_words

TORNADO_ROWS = 10
STATE_WORDS = {
    "ceasefire": "a ceasefire taking effect now",
    "frozen": "the conflict freezing now",
    "deal": "a deal signed now",
    "war": "a return to war now",
}
WATCH_PER_OUTCOME = 2
METHOD_WORDS = {
    "exact": "exact (the prior's draws re-transformed)",
    "reweighted": "reweighted (PSIS, Pareto k ≤ 0.7)",
    "refit": "refitted",
}


@dataclass(frozen=True)
class SensitivityView:
    chart: charts.Chart
    outcome_label: str
    top: str  # the largest swing in words
    rows: list[tuple[str, str, str, str]]  # (assumption, setting, change, method) for the table
    n_rows: int
    n_refits: int
    seconds: str


@dataclass(frozen=True)
class WatchView:
    sentences: list[str]
    table: list[tuple[str, list[str]]]  # (event, change per outcome)
    outcome_labels: list[str]
    pathway: str
    states: str
    reliability: str


def _label(summary: Summary, outcome: str) -> str:
    return next(o.label for o in summary.question.outcomes if o.id == outcome)


def _chart(block: Sensitivity, label: str) -> charts.Chart:
    rows = [
        charts.TornadoRow(r.assumption, tuple((c.setting, c.change[block.outcome]) for c in r.cases))
        for r in block.rows[:TORNADO_ROWS]
    ]
    return charts.Chart(
        wide=Markup(charts.tornado_chart(rows, label, charts.WIDTH_IN)),
        narrow=Markup(charts.tornado_chart(rows, label, charts.NARROW_IN)),
    )


def sensitivity_view(summary: Summary) -> SensitivityView | None:
    """The tornado and its table; none for a run made before sensitivity was recorded."""
    block = summary.sensitivity
    if block is None or not block.rows:
        return None
    label = _label(summary, block.outcome)
    first = block.rows[0]
    case = max(first.cases, key=lambda c: abs(c.change[block.outcome]))
    top = (
        f"The assumption that matters most is {first.assumption} ({case.setting.rstrip('.')}): "
        f"P({label.lower()}) moves by {format_pp(case.change[block.outcome])}, "
        f"to {format_pct(case.outcomes[block.outcome])}."
    )
    rows = [
        (r.assumption, c.setting, format_pp(c.change[block.outcome], 2), METHOD_WORDS[c.method])
        for r in block.rows[:TORNADO_ROWS]
        for c in r.cases
    ]
    return SensitivityView(
        chart=_chart(block, label),
        outcome_label=label,
        top=top,
        rows=rows,
        n_rows=len(block.rows),
        n_refits=block.refits,
        seconds=f"{block.seconds:.0f}",
    )


def _measured(kind: str) -> bool:
    return "[" in kind or kind in KIND_WORDS


def _kind_words(kind: str) -> str:
    """A kind, or a measured cell (``agreement_signed[stage=process]``) in words."""
    return cell_words(kind) if _measured(kind) else kind.replace("_", " ")


def _pathway_sentence(summary: Summary, block: Signposts) -> tuple[str, str]:
    path = block.pathway
    label = _label(summary, path.target).lower()
    horizon = summary.horizon.strftime("%-d %B %Y")
    if path.crosses:
        events = ", ".join(_kind_words(k) for k in path.events)
        value = format_pct(path.value) if path.value is not None else "n/a"
        lead = (
            f"{len(path.events)} events of the usual size ({events}) would take P({label}) "
            f"{path.direction} 50%, to about {value}."
        )
    else:
        held = " and ".join(
            f"a fresh {cell_words(d)} every week"
            if "[" in d or d in KIND_WORDS
            else f"{d.replace('_', ' ')} at {v:+.1f}"
            for d, v in path.bound_levels.items()
        )
        bound = format_pct(path.bound) if path.bound is not None else "n/a"
        lead = f"No combination of readings of the usual size takes P({label}) {path.direction} 50% by {horizon}: " + (
            f"even with {held} (drivers held from now to the horizon), it would stand at {bound}." if held else ""
        )
    states = "; ".join(f"{STATE_WORDS.get(s, s)} would put it at {format_pct(v)}" for s, v in path.states.items())
    return lead, (f"What would move it is a change of state: {states}." if states else "")


def watch_view(summary: Summary) -> WatchView | None:
    """What to watch: per outcome, the kinds of event that would raise it most; the pathway across 50%."""
    block = summary.signposts
    if block is None or not block.one_more:
        return None
    outcomes = summary.question.outcome_ids
    sentences = []
    for outcome in outcomes:
        raising = sorted((m for m in block.one_more if m.change[outcome] > 0), key=lambda m: -m.change[outcome])
        if raising:
            parts = ", ".join(
                f"{_kind_words(m.kind)} ({format_pp(m.change[outcome], 2)})" for m in raising[:WATCH_PER_OUTCOME]
            )
            sentences.append(f"{_label(summary, outcome)}: one more {parts}.")
    table = [
        (
            f"{_kind_words(m.kind)} (measured)"
            if m.method == "exact"
            else f"{_kind_words(m.kind)} ({m.driver.replace('_', ' ')} {m.signal:+.1f})",
            [format_pp(m.change[o], 2) for o in outcomes],
        )
        for m in block.one_more
    ]
    pathway, states = _pathway_sentence(summary, block)
    return WatchView(
        sentences=sentences,
        table=table,
        outcome_labels=[_label(summary, o) for o in outcomes],
        pathway=pathway,
        states=states,
        reliability=f"{block.reliability:g}",
    )
