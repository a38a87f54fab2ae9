"""A problem found in a data file, printed as ``file: path.to.field: what is wrong (fix)``.

Errors stop the data from loading; warnings are printed by ``kompis check`` but load anyway
(a deadline on a Saturday is odd, not wrong); notes explain what was skipped and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    fix: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        label = "" if self.severity == Severity.ERROR else f"{self.severity}: "
        return where + label + self.message + (f" ({self.fix})" if self.fix else "")

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


class DataError(Exception):
    """Raised when data files do not load; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def display_path(file: Path, root: Path | None = None) -> str:
    try:
        return str(file.relative_to(root)) if root else str(file)
    except ValueError:
        return str(file)
