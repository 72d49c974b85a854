"""Skeleton evidence items for ``forecast evidence new``: valid as written, every field commented."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from forecast.errors import InputError
from forecast.inputs.schema import RELIABILITY_WORDS, Kind


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


def skeleton_id(kind_id: str, day: date, cluster: str | None = None) -> str:
    """A fresh id for a new item: date, kind and cluster (the analyst renames it at will)."""
    return _slug(f"{day.isoformat()}-{cluster or kind_id}")


def skeleton_item(
    item_id: str, kind_id: str, kind: Kind, day: date, outcomes: list[str], cluster: str | None = None
) -> str:
    """The YAML text of one new item of ``kind_id`` with the kind's defaults and a comment per field."""
    words = ", ".join(f"{w} ({v:g})" for w, v in RELIABILITY_WORDS.items())
    lines = [
        f"# New {kind_id} item: {kind.description.strip()}",
        "# Edit the TODO fields; `forecast evidence validate` checks the file.",
        f"id: {item_id}                 # unique across all evidence files: a-z, 0-9, '-', '_'",
        f"date: {day.isoformat()}       # when the event happened (YYYY-MM-DD)",
        f"kind: {kind_id}",
        "title: TODO one line saying what happened",
        "source: TODO outlet and article           # who reported it",
        f"reliability: medium            # a number in (0, 1] or {words}",
    ]
    if kind.profile is None:
        neutral = json.dumps({o: 1.0 for o in outcomes}).replace('"', "")
        lines.append(f"likelihood: {neutral}   # TODO how likely this observation is under each outcome")
    else:
        lines.append(
            f"magnitude: {kind.scale:g}                   # in {kind.unit}; the kind's profile is per "
            f"{kind.scale:g} {kind.unit}"
        )
    lines.append(
        f"cluster: {cluster}" if cluster else "# cluster: reports-of-one-event   # shared by reports of one event"
    )
    lines += ["# url: https://...", "# tags: []", "# notes: >-", "#   why this reading"]
    return "\n".join(lines) + "\n"


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
