"""Participant lists (CSV): validated whole before anything is written.

Excel in Norway and Sweden saves CSV with semicolons and a byte-order mark; both are handled.
Columns: ``name, email, organisation, role, locale`` (``role`` and ``locale`` optional; several
roles joined with ``+``, e.g. ``participant+coordinator``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.curriculum.problems import Problem
from bot.domain.cohort import Cohort
from bot.domain.people import Role
from bot.domain.text import LOCALES

REQUIRED = ("name", "email", "organisation")
OPTIONAL = ("role", "locale", "timezone")


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
    name = shown_as or str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, "", f"cannot read the file: {exc}", "save it as CSV in UTF-8")]
    return parse_participants(text, cohort, name)


def parse_participants(
    text: str, cohort: Cohort, name: str
) -> tuple[list[ParticipantRow], list[Problem]]:
    text = text.removeprefix("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    problems = [
        Problem(
            name,
            "header",
            f"column {col!r} is missing",
            f"the first row must name the columns {', '.join(REQUIRED + OPTIONAL)}",
        )
        for col in REQUIRED
        if col not in header
    ]
    unknown = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    problems += [
        Problem(
            name, "header", f"unknown column {h!r}", f"use only {', '.join(REQUIRED + OPTIONAL)}"
        )
        for h in unknown
    ]
    if problems:
        return [], problems
    rows: list[ParticipantRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(record.values()):
            continue
        row, row_problems = _row(record, index, cohort, name)
        problems += row_problems
        if row is not None:
            if row.email.lower() in seen:
                problems.append(
                    Problem(
                        name,
                        f"row {index}.email",
                        f"{row.email} is also on row {seen[row.email.lower()]}",
                        "list each person once",
                    )
                )
            seen[row.email.lower()] = index
            rows.append(row)
    return ([], problems) if problems else (rows, [])


def _row(
    record: dict[str, str], line: int, cohort: Cohort, name: str
) -> tuple[ParticipantRow | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(field: str, message: str, fix: str) -> None:
        problems.append(Problem(name, f"row {line}.{field}", message, fix))

    for field in REQUIRED:
        if not record.get(field):
            bad(field, "is empty", "fill it in")
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
