"""Skeleton evidence items for ``forecast evidence new``: valid as written, every field commented."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

from forecast.errors import InputError
from forecast.inputs.load import load_evidence
from forecast.inputs.schema import CELL_VALUES, DRIVER_IDS, RELIABILITY_WORDS, STATE_IDS, Kind, Question


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


def skeleton_id(kind_id: str, day: date, cluster: str | None = None) -> str:
    """A fresh id for a new item: date, kind and cluster (the analyst renames it at will)."""
    return _slug(f"{day.isoformat()}-{cluster or kind_id}")


def skeleton_item(item_id: str, kind_id: str, kind: Kind, day: date, cluster: str | None = None) -> str:
    """The YAML text of one new item of ``kind_id`` with the kind's defaults and a comment per field."""
    words = ", ".join(f"{w} ({v:g})" for w, v in RELIABILITY_WORDS.items())
    lines = [
        f"# New {kind_id} item: {' '.join(kind.description.split())}",
        "# Edit the TODO fields; `forecast evidence validate` checks the file. Fields: docs/evidence.md.",
        f"id: {item_id}                 # unique across all evidence files: a-z, 0-9, '-', '_'",
        f"date: {day.isoformat()}       # when the event happened (YYYY-MM-DD)",
        f"reported: {day.isoformat()}   # when the source appeared; runs before this date do not see the item",
        f"kind: {kind_id}",
        "title: TODO one line saying what happened",
        "source: TODO outlet and article           # who reported it",
        f"reliability: medium            # a number in (0, 1] or {words}",
    ]
    if kind.transition:
        lines.append("state: war                      # TODO the state entered on `date`: " + ", ".join(STATE_IDS))
    elif kind.measured:
        lines.append("# measured on history: no driver or signal; its effect is the measured hazard ratio")
        lines += [_attribute_line(name, required=True) for name in kind.attributes]
        lines += [_attribute_line(name, required=False) for name in kind.optional]
    elif kind.driver is None:
        lines.append(f"driver: diplomacy              # TODO the driver this reads: {', '.join(DRIVER_IDS)}")
        lines.append("signal: 0                       # TODO driver units: 0 as usual, +1 notably above, -1 below")
    elif kind.signal is None:
        lines.append(f"signal: 0                       # TODO reading of {kind.driver}: 0 as usual, +-1 notable")
    else:
        lines.append(
            f"magnitude: {kind.scale:g}                   # in {kind.unit}: reads {kind.signal:+g} on "
            f"{kind.driver} per {kind.scale:g} {kind.unit}"
        )
        lines.append("# signal: 0.5                    # or give the reading directly (wins over magnitude)")
    lines.append(
        f"cluster: {cluster}" if cluster else "# cluster: reports-of-one-event   # shared by reports of one event"
    )
    lines += ["# url: https://...", "# tags: []", "# notes: >-", "#   why this reading"]
    return "\n".join(lines) + "\n"


ATTRIBUTE_HINTS: dict[str, str] = {
    "mediator": "who mediates (a state, an organisation, a person)",
    "days": "announced duration in days",
}


def _attribute_line(name: str, required: bool) -> str:
    """One attribute of a measured kind: the first allowed value, the choices in the comment."""
    choices = CELL_VALUES.get(name)
    value = choices[0] if choices else ("TODO" if name == "mediator" else "30")
    hint = " | ".join(choices) if choices else ATTRIBUTE_HINTS.get(name, name)
    if name == "side":
        hint += " | multilateral (counts as bilateral)"
    line = f"{name}: {value}"
    return f"{line:<32}# TODO {hint}" if required else f"# {line:<30}# optional: {hint}"


def new_item_path(root: Path, day: date, item_id: str) -> Path:
    """Where a new item goes: ``<root>/<YYYY-MM>/<id>.yaml``."""
    return root / f"{day:%Y-%m}" / f"{item_id}.yaml"


def write_new_item(path: Path, text: str) -> Path:
    """Create ``path`` with ``text``; refuses to overwrite an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise InputError(path, None, "", "already exists; not overwritten (pass --id to choose another name)") from None
    return path


def check_skeleton(path: Path, text: str, question: Question, kinds: dict[str, Kind]) -> None:
    """Validate ``text`` as the evidence file ``path`` would be, before anything is written.

    A bad ``--id`` or ``--cluster`` (not a slug; ``../x`` would even leave the evidence folder) or a
    ``--date`` outside the question's span used to leave an invalid file behind; problems name ``path``.
    """
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / "item.yaml"
        draft.write_text(text, encoding="utf-8")
        try:
            load_evidence(draft, question, kinds)
        except InputError as error:
            raise InputError.of([replace(p, path=str(path)) for p in error.problems]) from None
