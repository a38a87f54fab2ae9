"""Participants import: compare a checked file with the database, then write it whole.

Nobody is dropped silently. A new e-mail becomes a new person; an e-mail Kompis knows from
another cohort becomes a membership of this one too (a person is unique by e-mail across
cohorts); details that differ from what is stored (name, language, and in this cohort the
organisation and roles) are listed as changes, applied only with ``update``. Everything is
read in a handful of queries and written in batches, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.curriculum.participants import ParticipantRow, read_participant_file
from bot.curriculum.problems import DataError
from bot.domain.cohort import Cohort
from bot.domain.people import Role
from bot.storage.db import Database
from bot.storage.repo import Store, unit
from bot.storage.roster import CHUNK, KnownPerson, NewMember

Progress = Callable[[int, int], None]  # (rows written so far, rows to write)


@dataclass(frozen=True)
class Change:
    """One detail of a known person that the file has differently."""

    email: str
    field: str  # name, language, organisation, role
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.email}: {self.field} {self.old!r} -> {self.new!r}"


@dataclass
class ImportResult:
    cohort_id: str
    encoding: str
    new_people: int = 0  # not known before
    joined: int = 0  # known from another cohort, now in this one too
    already: int = 0  # already members of this cohort
    changes: list[Change] = field(default_factory=list)
    applied: bool = False  # whether the changes were written (``update``)

    @property
    def added(self) -> int:
        return self.new_people + self.joined

    @property
    def changed_people(self) -> int:
        return len({c.email for c in self.changes})


@dataclass
class _Plan:
    new: list[ParticipantRow] = field(default_factory=list)
    join: list[tuple[KnownPerson, ParticipantRow]] = field(default_factory=list)
    details: list[tuple[KnownPerson, ParticipantRow]] = field(default_factory=list)
    memberships: list[tuple[KnownPerson, ParticipantRow]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    already: int = 0


def _roles(roles: frozenset[Role]) -> str:
    return "+".join(sorted(str(r) for r in roles))


def plan(rows: list[ParticipantRow], known: dict[str, KnownPerson], cohort_id: str) -> _Plan:
    """Sort each row into new person, new membership or known member, and list what differs."""
    result = _Plan()
    for row in rows:
        person = known.get(row.email.lower())
        if person is None:
            result.new.append(row)
            continue
        changes = []
        if row.name != person.name:
            changes.append(Change(person.email, "name", person.name, row.name))
        if row.locale is not None and row.locale != person.locale:
            changes.append(Change(person.email, "language", person.locale or "", row.locale))
        if changes:
            result.details.append((person, row))
        here = person.membership(cohort_id)
        if here is None:
            result.join.append((person, row))
        else:
            result.already += 1
            before = len(changes)
            if row.organisation != here.organisation:
                changes.append(
                    Change(person.email, "organisation", here.organisation or "", row.organisation)
                )
            if row.roles != here.roles:
                changes.append(Change(person.email, "role", _roles(here.roles), _roles(row.roles)))
            if len(changes) > before:
                result.memberships.append((person, row))
        result.changes += changes
    return result


async def import_file(
    db: Database,
    cohort: Cohort,
    csv_path: Path,
    now: datetime,
    *,
    update: bool = False,
    platform: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the whole file, then add (and with ``update`` change) people in one transaction.
    Raises DataError, with nothing written, if any row has a problem. With ``platform`` each
    person added also gets an identity there keyed by the e-mail's local part (the demo)."""
    read = read_participant_file(csv_path, cohort)
    if read.problems:
        raise DataError(read.problems)
    async with unit(db) as store:
        known = await store.known_people(r.email for r in read.rows)
        todo = plan(read.rows, known, cohort.id)
        added = await _write(store, cohort.id, todo, now, update, progress)
        if platform:  # the console demo: a handful of people, one query each is fine
            for email, person_id in added.items():
                handle = email.split("@")[0]
                await store.link_identity(person_id, platform, handle, handle, now)
    return ImportResult(
        cohort.id,
        read.encoding,
        new_people=len(todo.new),
        joined=len(todo.join),
        already=todo.already,
        changes=todo.changes,
        applied=update,
    )


async def _write(
    store: Store,
    cohort_id: str,
    todo: _Plan,
    now: datetime,
    update: bool,
    progress: Progress | None,
) -> dict[str, int]:
    """Write the plan in batches; returns the ids of the people added, by e-mail."""
    total = len(todo.new) + len(todo.join)
    added: dict[str, int] = {}
    for start in range(0, len(todo.new), CHUNK):
        chunk = todo.new[start : start + CHUNK]
        ids = await store.insert_people(
            [(r.name, r.email, r.locale, r.timezone) for r in chunk], now
        )
        await store.insert_memberships(
            cohort_id,
            [NewMember(ids[r.email.lower()], r.organisation, r.roles) for r in chunk],
            now,
        )
        added.update({r.email: ids[r.email.lower()] for r in chunk})
        if progress is not None:
            progress(len(added), total)
    await store.insert_memberships(
        cohort_id, [NewMember(p.id, r.organisation, r.roles) for p, r in todo.join], now
    )
    added.update({r.email: p.id for p, r in todo.join})
    if progress is not None:
        progress(total, total)
    if update:
        await store.update_names_and_locales(
            [(p.id, r.name, r.locale or p.locale) for p, r in todo.details]
        )
        await store.update_memberships(
            cohort_id, [NewMember(p.id, r.organisation, r.roles) for p, r in todo.memberships]
        )
    return added
