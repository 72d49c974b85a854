"""Safe YAML loading that remembers where every value came from.

Analysts need errors as ``file:line: field: message``; PyYAML's node tree keeps the marks, so we
compose nodes, record a line for every key path, then build plain Python data with the safe
constructor. Dates stay strings (pydantic parses them, so an impossible date becomes a field
error with a line instead of a constructor crash) and duplicate keys are errors, not silently
overwritten.

Before composing, one pass over libyaml's events (a state machine, safe at any depth) refuses what
analyst files never need and what makes a parser hang or crash: anchors and aliases (the "billion
laughs" expansion), nesting deeper than ``MAX_DEPTH`` (the recursive composer overflows the C
stack), files over ``MAX_BYTES`` and more than ``MAX_NODES`` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forecast.errors import InputError

Loc = tuple[str | int, ...]

MAX_BYTES = 16 * 1024 * 1024  # a 10,000-item evidence file is about 3 MB
MAX_DEPTH = 32  # an evidence item is 3 levels deep
MAX_NODES = 2_000_000  # scalars, lists and mappings in one file


_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~10x faster


class _PlainLoader(_SafeBase):  # type: ignore[valid-type,misc]  # a base chosen at import time
    """SafeLoader without implicit timestamps: dates arrive as strings."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _SafeBase.yaml_implicit_resolvers.items()
}


@dataclass
class LocatedData:
    """Plain data from one YAML file plus the line of every key path in it."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int | None:
        """Line of the longest known prefix of ``loc`` (pydantic locs may go deeper)."""
        for end in range(len(loc), -1, -1):
            if (line := self.lines.get(tuple(loc[:end]))) is not None:
                return line
        return None


def read_text_utf8(path: Path) -> str:
    """File text, or an InputError naming the line of the first byte that is not UTF-8."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(path, line, "", f"file is not UTF-8 (byte 0x{raw[err.start]:02x})") from None


def _check_shape(path: Path, text: str) -> None:
    """Refuse anchors, aliases, deep nesting and huge node counts before anything is composed."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_SafeBase):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise InputError(path, line, "", "YAML anchors and aliases (&name, *name) are not allowed in input files")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(path, line, "", f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise InputError(path, line, "", f"more than {MAX_NODES:,} values in one file; split it")


def load_yaml(path: Path) -> LocatedData:
    """Parse one YAML file safely into plain data with line numbers."""
    if (size := path.stat().st_size) > MAX_BYTES:
        raise InputError(path, None, "", f"file is {size:,} bytes; input files are limited to {MAX_BYTES:,}")
    text = read_text_utf8(path)
    loader = _PlainLoader(text)
    try:
        _check_shape(path, text)
        node = loader.get_single_node()
        lines: dict[Loc, int] = {}
        if node is not None:
            _record_lines(path, node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = err.problem or str(err)
        if "could not determine a constructor" in problem:
            problem = f"only plain YAML data is allowed ({problem})"
        raise InputError(path, line, "", f"invalid YAML: {problem}") from None
    except yaml.YAMLError as err:
        raise InputError(path, None, "", f"invalid YAML: {err}") from None
    finally:
        loader.dispose()
    return LocatedData(path, data, lines)


def _record_lines(path: Path, node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                field = ".".join(str(p) for p in (*loc, key) if isinstance(p, str))
                raise InputError(path, line, field, f"duplicate key (first at line {seen[key]})")
            seen[key] = line
            _record_lines(path, value_node, (*loc, key), lines)
            lines[(*loc, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(path, item, (*loc, index), lines)
