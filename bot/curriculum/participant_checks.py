"""What `kompis check` adds to the participants reader: addresses that cannot be real, and
languages the programme does not speak (with the language those people will get instead)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.curriculum.participants import read_participants
from bot.curriculum.problems import Problem, Severity
from bot.domain.cohort import Cohort
from bot.domain.programme import Programme
from bot.domain.text import language_for

#: A domain of at least two labels, the last one of letters only: ``kommune.no``, not
#: ``kommune`` or ``kommune.n0``.
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)


def proper_email(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at and local and _DOMAIN.match(domain))


def check_participants(
    path: Path, cohort: Cohort, programme: Programme | None, shown: str
) -> list[Problem]:
    rows, problems = read_participants(path, cohort, shown_as=shown)
    for row in rows:
        if not proper_email(row.email):
            domain = row.email.rpartition("@")[2]
            problems.append(
                Problem(
                    shown,
                    f"row {row.line}.email",
                    f"{row.email!r} has no proper domain after the @ ({domain!r})",
                    "write the whole address, e.g. name@kommune.no",
                )
            )
        if programme is not None and row.locale and row.locale not in programme.locales:
            instead = language_for(row.locale, programme.locales, programme.default_locale)
            problems.append(
                Problem(
                    shown,
                    f"row {row.line}.locale",
                    f"programme {programme.id!r} has no {row.locale!r} text, so Kompis will "
                    f"write to {row.name} in {instead!r}",
                    f"write {instead} (or one of {', '.join(programme.locales)}), or add "
                    f"{row.locale} texts to the programme",
                    Severity.WARNING,
                )
            )
    return problems
