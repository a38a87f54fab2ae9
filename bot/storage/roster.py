"""Whole lists of people at once, for imports: a handful of queries per file, not per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import col, select

from bot.domain.people import Membership, Role
from bot.storage.people import PeopleQueries
from bot.storage.tables import MembershipRoleRow, MembershipRow, OrganisationRow, PersonRow

CHUNK = 1000  # rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits


@dataclass(frozen=True)
class KnownPerson:
    """A person an import found by e-mail, with every cohort they are in."""

    id: int
    name: str
    email: str
    locale: str | None
    memberships: tuple[Membership, ...]

    def membership(self, cohort_id: str) -> Membership | None:
        return next((m for m in self.memberships if m.cohort_id == cohort_id), None)


@dataclass(frozen=True)
class NewMember:
    """Who joins a cohort, with which organisation (its slug) and roles."""

    person_id: int
    organisation: str | None
    roles: frozenset[Role]


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class RosterQueries(PeopleQueries):
    """Bulk look-up, insert and update of people and memberships."""

    async def known_people(self, emails: Iterable[str]) -> dict[str, KnownPerson]:
        """The people with these e-mail addresses (any case), keyed by the address in lower
        case."""
        wanted = sorted({e.strip().lower() for e in emails})
        found: dict[str, KnownPerson] = {}
        for chunk in _chunks(wanted):
            rows = (
                await self.session.exec(
                    select(PersonRow).where(func.lower(PersonRow.email).in_(chunk))
                )
            ).all()
            memberships = await self.memberships(r.id for r in rows if r.id is not None)
            for r in rows:
                assert r.id is not None and r.email is not None
                found[r.email.lower()] = KnownPerson(
                    r.id, r.name, r.email, r.locale, tuple(memberships.get(r.id, []))
                )
        return found

    async def insert_people(
        self, people: Sequence[tuple[str, str, str | None, str | None]], now: datetime
    ) -> dict[str, int]:
        """New people as (name, email, locale, timezone); returns their ids by e-mail in lower
        case."""
        if not people:
            return {}
        table = PersonRow.metadata.tables["person"]
        # One statement compiled once, sent as multi-row INSERTs ("insertmanyvalues").
        stmt = insert(table).returning(table.c.id, table.c.email)
        values = [
            {"name": name, "email": email, "locale": locale, "timezone": zone, "created_at": now}
            for name, email, locale, zone in people
        ]
        rows = (await self.session.exec(stmt, params=values)).all()
        return {email.lower(): person_id for person_id, email in rows}

    async def insert_memberships(
        self, cohort_id: str, members: Sequence[NewMember], now: datetime
    ) -> None:
        """Make these people members of ``cohort_id``."""
        if not members:
            return
        orgs = await self._org_ids(cohort_id)
        table = MembershipRow.metadata.tables["membership"]
        stmt = insert(table).returning(table.c.id, table.c.person_id)
        values = [
            {
                "person_id": m.person_id,
                "cohort_id": cohort_id,
                "organisation_id": orgs[m.organisation] if m.organisation else None,
                "joined_at": now,
            }
            for m in members
        ]
        rows = (await self.session.exec(stmt, params=values)).all()
        membership_of = {person_id: membership_id for membership_id, person_id in rows}
        await self._insert_roles(
            [(membership_of[m.person_id], role) for m in members for role in m.roles]
        )

    async def update_names_and_locales(self, people: Sequence[tuple[int, str, str | None]]) -> None:
        """Set (person id, name, locale) in one batch."""
        if not people:
            return
        table = PersonRow.metadata.tables["person"]  # Core: an executemany UPDATE by id
        await self.session.exec(
            update(table)
            .where(table.c.id == bindparam("person_id"))
            .values(name=bindparam("new_name"), locale=bindparam("new_locale")),
            params=[{"person_id": i, "new_name": n, "new_locale": loc} for i, n, loc in people],
        )

    async def update_memberships(self, cohort_id: str, members: Sequence[NewMember]) -> None:
        """Set the organisation and replace the roles of these members of ``cohort_id``."""
        if not members:
            return
        orgs = await self._org_ids(cohort_id)
        membership_of: dict[int, int] = {}
        for chunk in _chunks(members):
            rows = (
                await self.session.exec(
                    select(MembershipRow.id, MembershipRow.person_id).where(
                        MembershipRow.cohort_id == cohort_id,
                        col(MembershipRow.person_id).in_([m.person_id for m in chunk]),
                    )
                )
            ).all()
            membership_of.update({pid: mid for mid, pid in rows if mid is not None})
        table = MembershipRow.metadata.tables["membership"]
        await self.session.exec(
            update(table)
            .where(table.c.id == bindparam("membership_id"))
            .values(organisation_id=bindparam("new_org")),
            params=[
                {
                    "membership_id": membership_of[m.person_id],
                    "new_org": orgs[m.organisation] if m.organisation else None,
                }
                for m in members
            ],
        )
        ids = list(membership_of.values())
        for chunk in _chunks(ids):
            await self.session.exec(
                delete(MembershipRoleRow).where(col(MembershipRoleRow.membership_id).in_(chunk))
            )
        await self._insert_roles(
            [(membership_of[m.person_id], role) for m in members for role in m.roles]
        )

    async def _org_ids(self, cohort_id: str) -> dict[str, int]:
        rows = (
            await self.session.exec(
                select(OrganisationRow).where(OrganisationRow.cohort_id == cohort_id)
            )
        ).all()
        return {r.key: r.id for r in rows if r.id is not None}

    async def _insert_roles(self, roles: Sequence[tuple[int, Role]]) -> None:
        if roles:
            table = MembershipRoleRow.metadata.tables["membership_role"]
            await self.session.exec(
                insert(table),
                params=[{"membership_id": mid, "role": role.value} for mid, role in roles],
            )
