"""A problem found in a data file, printed as ``file: path.to.field: what is wrong (fix)``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        return where + self.message + (f" ({self.fix})" if self.fix else "")


class DataError(Exception):
    """Raised when data files do not load; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it or check the spelling",
    "string_pattern_mismatch": "use lower-case letters, digits and '-', at most 24 characters",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "time_parsing": "write the time as HH:MM",
    "time_type": "write the time as HH:MM, in quotes",
    "enum": "use one of the values listed",
}


def display_path(file: Path, root: Path | None = None) -> str:
    try:
        return str(file.relative_to(root)) if root else str(file)
    except ValueError:
        return str(file)


def from_validation_error(file: str, error: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, path, message, _FIXES.get(item["type"], "")))
    return problems
