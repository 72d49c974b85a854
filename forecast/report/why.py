"""The briefing's "Why this number": the measured ratios behind the forecast, in plain words.

Each sentence says what history measured for an event recorded this run ("after a bilateral
ceasefire declaration, wars in the data ended in a ceasefire at 2.1 times the usual rate (90%:
1.4-3.0), over 38 conflicts"), then how much of the forecast's move from the reference class came
from measured events and how much from judgement (the analyst's readings of the drivers).
"""

from __future__ import annotations

from dataclasses import dataclass

from forecast.results.summary import MeasuredRatio, Summary, WhyThisNumber

from .wep import format_pp

KIND_WORDS = {
    "ceasefire_declared": "a {side} {scope} ceasefire declaration",
    "agreement_signed": "a {stage} agreement signed by both sides",
    "mediation": "new mediation",
}
ATTRIBUTE_WORDS = {
    "unilateral": "unilateral",
    "bilateral": "bilateral",
    "general": "general",
    "partial": "partial",
    "pre_negotiation": "pre-negotiation",
    "process": "peace-process",
}
ENDING_WORDS = {"war->ceasefire": "in a ceasefire", "war->deal": "in a peace agreement", "war->frozen": "by fading"}
MIN_SHOWN_CHANGE = 0.05  # ratios within 5% of 1 are listed as "no measurable change"


@dataclass(frozen=True)
class WhyView:
    sentences: list[str]
    split: str
    bound: str
    backtest: str | None


def event_words(ratio: MeasuredRatio) -> str:
    """``a bilateral general ceasefire declaration``."""
    return kind_words(ratio.kind, ratio.attributes)


def kind_words(kind: str, attributes: dict[str, str]) -> str:
    words = {k: ATTRIBUTE_WORDS.get(v, v.replace("_", " ")) for k, v in attributes.items()}
    return KIND_WORDS.get(kind, kind.replace("_", " ")).format(**words).removeprefix("a ").removeprefix("the ")


def cell_words(cell: str) -> str:
    """``ceasefire_declared[scope=general, side=bilateral]`` -> ``bilateral general ceasefire declaration``."""
    kind, _, rest = cell.partition("[")
    attributes = dict(part.split("=", 1) for part in rest.rstrip("]").split(", ") if "=" in part)
    return kind_words(kind, attributes)


def _ending(ratio: MeasuredRatio) -> str:
    """``in a ceasefire at 2.3 times the usual rate (90%: 1.3-4.3)``."""
    ending = ENDING_WORDS.get(ratio.transition, ratio.transition)
    if abs(ratio.hazard_ratio - 1.0) < MIN_SHOWN_CHANGE:
        return f"{ending} at about the usual rate"
    return f"{ending} at {ratio.hazard_ratio:.2g} times the usual rate (90%: {ratio.low:.2g}-{ratio.high:.2g})"


def cell_sentence(ratios: list[MeasuredRatio]) -> str:
    """One measured cell in words: each war exit's ratio with its interval, and what it rests on."""
    first = ratios[0]
    words = event_words(first)
    article = "an" if words[0] in "aeiou" else "a"
    endings = [_ending(r) for r in ratios]
    listed = endings[0] if len(endings) == 1 else ", ".join(endings[:-1]) + " and " + endings[-1]
    fading = "" if first.presence >= 0.99 else f"; its effect now at {first.presence:.0%}, fading"
    return f"After {article} {words}, wars in the data ended {listed} (over {first.conflicts} conflicts{fading})."


def why_view(summary: Summary) -> WhyView | None:
    why: WhyThisNumber | None = summary.why
    if why is None:
        return None
    lead = max(summary.outcomes, key=lambda o: summary.outcomes[o].mean)
    label = next((o.label for o in summary.question.outcomes if o.id == lead), lead)
    measured, judgement = why.measured_change.get(lead, 0.0), why.judgement_change.get(lead, 0.0)
    share = f" (judgement is {why.judgement_share:.0%} of the events' summed effects)" if why.judgement_share else ""
    split = (
        f"Of the evidence's effect on {label.lower()}, measured events account for {format_pp(measured)} and "
        f"judgement readings for {format_pp(judgement)}{share}. The ratios are measured on UCDP conflicts, mostly "
        f"civil wars; the model widens each as if this war could differ by a factor of {why.mismatch:g}, and an "
        f"event's effect halves every {why.half_life_weeks:.0f} weeks."
    )
    bound = (
        f"Judgement is bounded: no reading of a driver may move a hazard by more than the strongest measured "
        f"event (x{why.strongest:.2g})."
    )
    if why.bounded_links:
        bound += f" The bound cut {len(why.bounded_links)} link prior(s): {'; '.join(why.bounded_links)}."
    cells: dict[str, list[MeasuredRatio]] = {}
    for ratio in why.ratios:
        cells.setdefault(ratio.cell, []).append(ratio)
    return WhyView([cell_sentence(r) for r in cells.values()], split, bound, why.backtest)
