"""Evidence items -> the plain arrays the model consumes.

This is the one place where kind profiles, magnitudes, clusters and the half-life turn into
numbers, so the model, the quadrature and the tests all see the same inputs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from forecast.inputs.schema import EvidenceItem, Kind, Question


@dataclass(frozen=True)
class EvidenceArrays:
    """Item-level inputs, one row per item (N) and one column per outcome (K)."""

    outcomes: tuple[str, ...]
    kinds: tuple[str, ...]  # every catalogue kind, so shapes do not change week to week
    kind_sd: np.ndarray  # (M,) prior sd of log tau per kind
    ids: tuple[str, ...]
    log_lik: np.ndarray  # (N, K) log relative likelihoods before tempering
    reliability: np.ndarray  # (N,)
    weight: np.ndarray  # (N,) cluster share x age discount
    kind_index: np.ndarray  # (N,) int

    @property
    def n_items(self) -> int:
        return len(self.ids)

    def select(self, keep: np.ndarray) -> EvidenceArrays:
        """The items where ``keep`` is true (cluster shares unchanged)."""
        return EvidenceArrays(
            self.outcomes,
            self.kinds,
            self.kind_sd,
            tuple(np.asarray(self.ids)[keep]),
            self.log_lik[keep],
            self.reliability[keep],
            self.weight[keep],
            self.kind_index[keep],
        )

    def without(self, index: int) -> EvidenceArrays:
        """The same evidence with item ``index`` dropped."""
        return self.select(np.arange(self.n_items) != index)


def item_log_likelihood(item: EvidenceItem, kind: Kind, outcomes: list[str]) -> np.ndarray:
    """Log relative likelihood per outcome: explicit values win over the kind's profile."""
    if item.likelihood is not None:
        return np.log([item.likelihood[o] for o in outcomes])
    if kind.profile is None:
        raise ValueError(f"item {item.id!r}: kind has no profile and no likelihood was given")
    units = (item.magnitude if item.magnitude is not None else kind.scale) / kind.scale
    return units * np.array([kind.profile[o] for o in outcomes])


def cluster_shares(items: list[EvidenceItem]) -> np.ndarray:
    """Each item's share of its cluster: reports of one event together count once."""
    keys = [item.cluster or f"\0{item.id}" for item in items]
    sizes = Counter(keys)
    return np.array([1.0 / sizes[key] for key in keys])


def age_discount(items: list[EvidenceItem], as_of: date, half_life_days: float | None) -> np.ndarray:
    """Tempering weight 0.5 ** (age / half-life); 1 for everything when there is no half-life."""
    if half_life_days is None:
        return np.ones(len(items))
    ages = np.array([(as_of - item.date).days for item in items], dtype=float)
    return 0.5 ** (np.maximum(ages, 0.0) / half_life_days)


def build_arrays(question: Question, kinds: dict[str, Kind], items: list[EvidenceItem], as_of: date) -> EvidenceArrays:
    """Arrays for ``items`` (already filtered to the as-of date)."""
    outcomes = question.outcome_ids
    kind_ids = tuple(kinds)
    position = {kind_id: m for m, kind_id in enumerate(kind_ids)}
    log_lik = np.array([item_log_likelihood(i, kinds[i.kind], outcomes) for i in items]).reshape(-1, len(outcomes))
    return EvidenceArrays(
        outcomes=tuple(outcomes),
        kinds=kind_ids,
        kind_sd=np.array([kinds[k].diagnosticity_sd for k in kind_ids]),
        ids=tuple(i.id for i in items),
        log_lik=log_lik,
        reliability=np.array([i.reliability for i in items], dtype=float),
        weight=cluster_shares(items) * age_discount(items, as_of, question.half_life_days),
        kind_index=np.array([position[i.kind] for i in items], dtype=int),
    )
