"""Participant lists (CSV): validated whole before anything is written.

Excel in Norway and Sweden saves CSV with semicolons and a byte-order mark, and (as "CSV",
not "CSV UTF-8") in Windows-1252; all are handled. Columns: ``name, email, organisation, role,
locale`` (``role`` and ``locale`` optional; several roles joined with ``+``, e.g.
``participant+coordinator``), also under their Norwegian and Swedish names (``navn``,
``e-post``, ``kommune``, ``rolle``, ``språk``, ...).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.curriculum.problems import Problem
from bot.domain.cohort import Cohort
from bot.domain.people import Role
from bot.domain.text import LOCALES

REQUIRED = ("name", "email", "organisation")
OPTIONAL = ("role", "locale", "timezone")

# Other names a column goes by (lower case), in Norwegian (nb/nn), Swedish and English.
ALIASES = {
    "name": ("navn", "namn"),
    "email": ("e-post", "epost", "e-postadresse", "e-postadress", "e-mail", "mail"),
    "organisation": ("organisasjon", "kommune", "kommun", "organization"),
    "role": ("rolle", "roll"),
    "locale": ("språk", "language"),
}
CANONICAL = {alias: column for column, names in ALIASES.items() for alias in names} | {
    column: column for column in REQUIRED + OPTIONAL
}

# Tried in this order; Windows-1252 is what Excel in Norway and Sweden writes as plain "CSV".
ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))


@dataclass(frozen=True)
class ParticipantFile:
    """What reading a participants file gave: rows or problems (never both), and the
    encoding it was read in."""

    rows: list[ParticipantRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = "UTF-8"


@dataclass(frozen=True)
class ParticipantRow:
    line: int
    name: str
    email: str
    organisation: str
    roles: frozenset[Role]
    locale: str | None
    timezone: str | None = None  # the person's own IANA zone (send times); None: the cohort's


def read_participants(
    path: Path, cohort: Cohort, shown_as: str | None = None
) -> tuple[list[ParticipantRow], list[Problem]]:
    """Parse and check a CSV file against ``cohort``; returns rows, or problems (never both)."""
    read = read_participant_file(path, cohort, shown_as)
    return read.rows, read.problems


def read_participant_file(
    path: Path, cohort: Cohort, shown_as: str | None = None
) -> ParticipantFile:
    """Parse and check a CSV file, in UTF-8 or else Windows-1252."""
    name = shown_as or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ParticipantFile(
            problems=[Problem(name, "", f"cannot read the file: {reason}", "check the path")]
        )
    for codec, label in ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        rows, problems = parse_participants(text, cohort, name)
        return ParticipantFile(rows, problems, label)
    return ParticipantFile(
        problems=[
            Problem(
                name,
                "",
                "cannot read the file: it is neither UTF-8 nor Windows-1252 text",
                'in Excel choose "Save as", then "CSV UTF-8 (comma delimited)"',
            )
        ]
    )


def parse_participants(
    text: str, cohort: Cohort, name: str
) -> tuple[list[ParticipantRow], list[Problem]]:
    text = text.removeprefix("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    columns = [CANONICAL.get(h.lower()) for h in header]
    problems = _header_problems(header, columns, name)
    if problems:
        return [], problems
    shown = {column: h for h, column in zip(header, columns, strict=True) if column}
    rows: list[ParticipantRow] = []
    seen: dict[str, int] = {}
    for index, cells in enumerate(reader, start=2):
        record = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column
        }
        if not any(record.values()):
            continue
        row, row_problems = _row(record, index, cohort, name, shown)
        problems += row_problems
        if row is not None:
            if row.email.lower() in seen:
                problems.append(
                    Problem(
                        name,
                        f"row {index}.{shown['email']}",
                        f"{row.email} is also on row {seen[row.email.lower()]}",
                        "list each person once",
                    )
                )
            seen[row.email.lower()] = index
            rows.append(row)
    return ([], problems) if problems else (rows, [])


def _header_problems(header: list[str], columns: list[str | None], name: str) -> list[Problem]:
    names = ", ".join(REQUIRED + OPTIONAL)
    problems = [
        Problem(
            name,
            "header",
            f"column {col!r} is missing",
            f"the first row must name the columns {names}",
        )
        for col in REQUIRED
        if col not in columns
    ]
    problems += [
        Problem(name, "header", f"unknown column {h!r}", f"use only {names}")
        for h, column in zip(header, columns, strict=True)
        if h and column is None
    ]
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    problems += [
        Problem(
            name,
            "header",
            f"column {c!r} is there twice "
            f"({', '.join(repr(h) for h, k in zip(header, columns, strict=True) if k == c)})",
            "keep one of them",
        )
        for c in twice
    ]
    return problems


def _row(
    record: dict[str, str], line: int, cohort: Cohort, name: str, shown: dict[str, str]
) -> tuple[ParticipantRow | None, list[Problem]]:
    """One row; a problem names the column as the file's header does (``e-post``)."""
    problems: list[Problem] = []

    def bad(column: str, message: str, fix: str) -> None:
        problems.append(Problem(name, f"row {line}.{shown.get(column, column)}", message, fix))

    for column in REQUIRED:
        if not record.get(column):
            bad(column, "is empty", "fill it in")
    email = record.get("email", "")
    if email and ("@" not in email or " " in email):
        bad("email", f"{email!r} is not an e-mail address", "write it as name@example.org")
    org = record.get("organisation", "")
    if org and cohort.organisation(org) is None:
        bad(
            "organisation",
            f"{org!r} is not an organisation of cohort {cohort.id}",
            "use an id from the schedule's organisations",
        )
    roles: set[Role] = set()
    for part in (record.get("role") or "participant").split("+"):
        try:
            roles.add(Role(part.strip().lower()))
        except ValueError:
            bad("role", f"unknown role {part!r}", "use participant, coordinator or organiser")
    locale = (record.get("locale") or "").lower() or None
    if locale and locale not in LOCALES:
        bad("locale", f"unknown language {locale!r}", f"use one of {', '.join(LOCALES)}")
    timezone = (record.get("timezone") or "").strip() or None
    if timezone and not _known_zone(timezone):
        bad("timezone", f"unknown timezone {timezone!r}", "use an IANA name like Europe/Helsinki")
    if problems:
        return None, problems
    return ParticipantRow(line, record["name"], email, org, frozenset(roles), locale, timezone), []


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return False
    return True
