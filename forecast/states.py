"""The four states of the conflict and the eight transitions between them, named once.

Plain constants, importable without numpy or scipy (schemas validate against them).
"""

from __future__ import annotations

STATES: tuple[str, ...] = ("war", "ceasefire", "frozen", "deal")
TRANSITIONS: tuple[tuple[str, str], ...] = (
    ("war", "ceasefire"),
    ("war", "deal"),
    ("war", "frozen"),
    ("ceasefire", "war"),
    ("ceasefire", "deal"),
    ("frozen", "war"),
    ("frozen", "deal"),
    ("deal", "war"),
)
DAYS_PER_YEAR = 365.25


def transition_label(transition: tuple[str, str]) -> str:
    """``"war->deal"``: the name used in YAML tables and coordinates."""
    return f"{transition[0]}->{transition[1]}"


TRANSITION_LABELS: tuple[str, ...] = tuple(transition_label(t) for t in TRANSITIONS)


def state_index(state: str) -> int:
    """Position of a state in :data:`STATES` (raises on an unknown name)."""
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}; expected one of {STATES}")
    return STATES.index(state)
