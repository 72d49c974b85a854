"""Safe YAML loading that remembers where every value came from.

Analysts need errors as ``file:line: field: message``; PyYAML's node tree keeps the marks, so we
compose nodes, record a line for every key path, then build plain Python data with the safe
constructor. Dates stay strings (pydantic parses them, so an impossible date becomes a field
error with a line instead of a constructor crash) and duplicate keys are errors, not silently
overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]


class InputError(Exception):
    """A problem with an input file, located to a line and field."""

    def __init__(self, path: Path | str, line: int | None, field: str, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~10x faster


class _PlainLoader(_SafeBase):
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


def load_yaml(path: Path) -> LocatedData:
    """Parse one YAML file safely into plain data with line numbers."""
    text = read_text_utf8(path)
    loader = _PlainLoader(text)
    try:
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
