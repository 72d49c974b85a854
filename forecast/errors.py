"""The one error type of the package: problems with input files, located to a line and field.

Every command turns an :class:`InputError` into ``file:line: field: message`` lines on stderr and
exit status 1. Loaders collect every problem of a file before raising, so an analyst fixes a
whole file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One located problem."""

    path: str
    line: int | None
    field: str
    message: str

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(Exception):
    """One or more problems with input files; ``str()`` lists them one per line."""

    def __init__(self, path: Path | str, line: int | None = None, field: str = "", message: str = ""):
        self.problems = [Problem(str(path), line, field, message)]
        super().__init__(self.render())

    @classmethod
    def of(cls, problems: list[Problem]) -> InputError:
        """An error carrying several problems (at least one)."""
        if not problems:
            raise ValueError("InputError.of needs at least one problem")
        error = cls(problems[0].path, problems[0].line, problems[0].field, problems[0].message)
        error.problems = list(problems)
        error.args = (error.render(),)
        return error

    def render(self) -> str:
        return "\n".join(problem.render() for problem in self.problems)
