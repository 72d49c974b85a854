"""Safe YAML: what analyst files never need (aliases, deep nesting, huge files) is refused quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.inputs import yamlio
from forecast.inputs.yamlio import load_yaml


def laughs(levels: int = 9) -> str:
    """The "billion laughs" shape: each level holds nine aliases of the one before."""
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels + 1):
        text += f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    return text


def problem(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_yaml(path)
    return caught.value.render()


def test_aliases_are_refused_before_anything_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs())

    def never(*_args: object) -> None:
        raise AssertionError("the document was composed: its aliases would be expanded")

    monkeypatch.setattr(yamlio._PlainLoader, "get_single_node", never)
    assert problem(path) == f"{path}:1: YAML anchors and aliases (&name, *name) are not allowed in input files"


def test_an_anchor_alone_is_refused_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "anchor.yaml"
    path.write_text("- id: a\n  tags: &t [x]\n")
    assert problem(path).startswith(f"{path}:2: YAML anchors")


def test_deep_nesting_is_refused_without_crashing(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "nest" in problem(path)  # a message, not a segmentation fault
    shallow = tmp_path / "shallow.yaml"
    shallow.write_text("x: " + "[" * (yamlio.MAX_DEPTH + 1) + "]" * (yamlio.MAX_DEPTH + 1) + "\n")
    assert problem(shallow) == f"{shallow}:1: nested more than {yamlio.MAX_DEPTH} levels deep"


def test_size_and_value_count_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("".join(f"- id: item-{i}\n" for i in range(50)))
    assert len(load_yaml(path).data) == 50
    monkeypatch.setattr(yamlio, "MAX_NODES", 60)  # a list, then three values per item: item 20 is the 61st
    assert problem(path) == f"{path}:20: more than 60 values in one file; split it"
    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    assert problem(path).startswith(f"{path}: file is {path.stat().st_size:,} bytes")


def test_plain_data_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("- id: a\n  date: 2025-11-26\n  tags: [x, y]\n")
    located = load_yaml(path)
    assert located.data == [{"id": "a", "date": "2025-11-26", "tags": ["x", "y"]}]
    assert located.line_of((0, "tags")) == 3
