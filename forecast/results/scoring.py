"""Proper scores of recorded forecasts against an observed state: pure functions on plain numbers.

Conventions (docs/scoring.md):

- **Brier**: ``sum_k (p_k - o_k)^2`` over the question's outcomes, ``o`` the one-hot observed
  state; 0 is perfect, 2 the worst (all mass on one wrong outcome). Lower is better.
- **Log score**: ``ln p_observed``, with ``p`` clipped below at ``LOG_FLOOR`` (1e-12) so a
  forecast that gave the observed state zero chance scores ``ln 1e-12 = -27.6`` instead of minus
  infinity. 0 is perfect; higher (closer to 0) is better.
- **RPS** (ranked probability score) over the question's outcome order (deal, ceasefire, frozen,
  war: from settled to fighting): ``sum_{k<K} (P_k - O_k)^2 / (K - 1)`` with ``P``, ``O`` the
  cumulative forecast and observation; the division by ``K - 1`` puts it on 0 (perfect) .. 1
  (all mass on the far end from the observed state). Lower is better; unlike Brier, it rewards
  putting mass near the observed state (a frozen conflict forecast when a ceasefire happens).
- **Skill** against a baseline: ``1 - score / baseline`` for Brier and RPS (1 perfect, 0 no better
  than the baseline, negative worse); for the log score the difference ``log - baseline_log``, in
  nats (0 no better, positive better): a ratio of two negative logs is not a proper skill score
  and is undefined when the baseline was certain.
- **Binary** Brier and log for an outside forecast of one event: ``(p - o)^2`` and ``ln p`` or
  ``ln(1 - p)``, clipped the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

LOG_FLOOR = 1e-12
PAIRING_WINDOW = timedelta(days=7)  # a benchmark is compared with a run made less than a week before it


def brier(probabilities: Mapping[str, float], observed: str, order: Sequence[str]) -> float:
    """Multi-category Brier score, summed over ``order`` (0 best, 2 worst)."""
    return sum((probabilities.get(k, 0.0) - (k == observed)) ** 2 for k in order)


def log_score(probabilities: Mapping[str, float], observed: str) -> float:
    """``ln p`` of the observed outcome, ``p`` clipped at ``LOG_FLOOR`` (0 best)."""
    return math.log(max(probabilities.get(observed, 0.0), LOG_FLOOR))


def rps(probabilities: Mapping[str, float], observed: str, order: Sequence[str]) -> float:
    """Ranked probability score over ``order``, divided by ``len(order) - 1`` (0 best, 1 worst)."""
    if len(order) < 2:
        raise ValueError("the ranked probability score needs at least two ordered outcomes")
    forecast = observation = total = 0.0
    for k in order[:-1]:
        forecast += probabilities.get(k, 0.0)
        observation += k == observed
        total += (forecast - observation) ** 2
    return total / (len(order) - 1)


def skill(score: float, baseline: float) -> float | None:
    """``1 - score / baseline`` for a negatively oriented score; None when the baseline was perfect."""
    return None if baseline == 0 else 1.0 - score / baseline


def log_skill(score: float, baseline: float) -> float:
    """Information gain over the baseline in nats: ``score - baseline`` (positive: better)."""
    return score - baseline


def binary_brier(probability: float, happened: bool) -> float:
    return (probability - happened) ** 2


def binary_log(probability: float, happened: bool) -> float:
    return math.log(max(probability if happened else 1.0 - probability, LOG_FLOOR))


def interpolate(points: Sequence[tuple[date, float]], day: date) -> float | None:
    """The value at ``day`` on a dated curve, linear between points; None outside the curve."""
    ordered = sorted(points)
    for (d0, v0), (d1, v1) in zip(ordered, ordered[1:], strict=False):
        if d0 <= day <= d1:
            return v0 if d1 == d0 else v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
    if ordered and ordered[-1][0] == day:
        return ordered[-1][1]
    return None


def paired_run(seen: date, run_dates: Sequence[date]) -> date | None:
    """The run a benchmark seen on ``seen`` is compared with: the latest made within the week before it."""
    before = [d for d in run_dates if d <= seen and seen - d < PAIRING_WINDOW]
    return max(before, default=None)


def mean(values: Sequence[float | None]) -> float | None:
    """Mean of the values given (None ignored); None when there are none."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None
