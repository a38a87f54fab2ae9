"""People and their memberships: a person may be in several cohorts, with an organisation and
roles in each. A ``Person`` is always returned as seen in one cohort."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.domain.people import Membership, Person, Role, current_membership
from bot.storage.cohort_people import CohortPeopleQueries
from bot.storage.tables import (
    CohortRow,
    LabChoiceRow,
    MembershipRoleRow,
    MembershipRow,
    OrganisationRow,
    PersonRow,
)


class PeopleQueries(CohortPeopleQueries):
    """People of the cohorts: add, look up, update."""

    async def add_person(
        self,
        *,
        name: str,
        cohort_id: str,
        organisation: str | None,
        roles: Iterable[Role],
        now: datetime,
        email: str | None = None,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> int:
        """A new person, member of ``cohort_id``."""
        row = PersonRow(name=name, email=email, locale=locale, created_at=now, timezone=timezone)
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        await self.add_membership(row.id, cohort_id, organisation, roles, now)
        return row.id

    async def add_membership(
        self,
        person_id: int,
        cohort_id: str,
        organisation: str | None,
        roles: Iterable[Role],
        now: datetime,
    ) -> None:
        """Make a known person a member of one more cohort."""
        org_id = await self._org_id(cohort_id, organisation) if organisation else None
        row = MembershipRow(
            person_id=person_id, cohort_id=cohort_id, organisation_id=org_id, joined_at=now
        )
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        for role in set(roles):
            self.session.add(MembershipRoleRow(membership_id=row.id, role=role.value))
        await self.session.flush()

    async def _org_id(self, cohort_id: str, key: str) -> int:
        org = (
            await self.session.exec(
                select(OrganisationRow).where(
                    OrganisationRow.cohort_id == cohort_id, OrganisationRow.key == key
                )
            )
        ).first()
        if org is None or org.id is None:
            raise LookupError(f"no organisation {key!r} in cohort {cohort_id!r}")
        return org.id

    async def person(
        self, person_id: int, cohort_id: str | None = None, at: datetime | None = None
    ) -> Person | None:
        """The person in ``cohort_id``, or (none given) in their current cohort: the one
        running at ``at`` that they joined last, else simply the one they joined last (see
        ``current_membership``). None if they are not a member there."""
        people = await self._people(
            select(PersonRow).where(PersonRow.id == person_id), cohort_id, at
        )
        return people[0] if people else None

    async def person_by_email(self, email: str, cohort_id: str | None = None) -> Person | None:
        people = await self._people(
            select(PersonRow).where(func.lower(PersonRow.email) == email.strip().lower()),
            cohort_id,
        )
        return people[0] if people else None

    async def people(self, person_ids: Iterable[int]) -> dict[int, Person]:
        """Many people by id, each in the cohort they joined last, in a handful of queries
        whatever their number."""
        ids = list(set(person_ids))
        return {
            p.id: p for p in await self._people(select(PersonRow).where(col(PersonRow.id).in_(ids)))
        }

    async def people_in_cohort(self, cohort_id: str) -> list[Person]:
        """The members of a cohort, each with the organisation and roles they have there."""
        return await self.cohort_members(cohort_id)

    async def memberships(self, person_ids: Iterable[int]) -> dict[int, list[Membership]]:
        """Every membership of these people, joined first first (one query: a row per
        membership and role)."""
        ids = list(set(person_ids))
        if not ids:
            return {}
        rows = (
            await self.session.exec(
                select(MembershipRow, CohortRow, OrganisationRow, MembershipRoleRow.role)
                .join(CohortRow, col(CohortRow.id) == col(MembershipRow.cohort_id))
                .outerjoin(
                    OrganisationRow,
                    col(OrganisationRow.id) == col(MembershipRow.organisation_id),
                )
                .outerjoin(
                    MembershipRoleRow,
                    col(MembershipRoleRow.membership_id) == col(MembershipRow.id),
                )
                .where(col(MembershipRow.person_id).in_(ids))
                .order_by(col(MembershipRow.joined_at), col(MembershipRow.id))
            )
        ).all()
        roles: dict[int, set[Role]] = {}
        found: dict[int, list[Membership]] = {}
        ordered: dict[int, tuple[MembershipRow, CohortRow, OrganisationRow | None]] = {}
        for member, cohort, org, role in rows:
            assert member.id is not None
            ordered.setdefault(member.id, (member, cohort, org))
            if role is not None:
                roles.setdefault(member.id, set()).add(Role(role))
        for member_id, (member, cohort, organisation) in ordered.items():
            found.setdefault(member.person_id, []).append(
                Membership(
                    member.cohort_id,
                    organisation.key if organisation else None,
                    frozenset(roles.get(member_id, set())),
                    member.joined_at,
                    cohort.timezone,
                    cohort.starts_on,
                    cohort.ends_on,
                )
            )
        return found

    async def _people(
        self, query: Any, cohort_id: str | None = None, at: datetime | None = None
    ) -> list[Person]:
        rows: Sequence[PersonRow] = (await self.session.exec(query)).all()
        if not rows:
            return []
        ids = [r.id for r in rows if r.id is not None]
        memberships = await self.memberships(ids)
        labs: dict[int, list[str]] = {}
        for lrow in (
            await self.session.exec(
                select(LabChoiceRow)
                .where(col(LabChoiceRow.person_id).in_(ids))
                .order_by(col(LabChoiceRow.chosen_at), col(LabChoiceRow.id))
            )
        ).all():
            labs.setdefault(lrow.person_id, []).append(lrow.lab_id)
        people: list[Person] = []
        for r in rows:
            if r.id is None:
                continue
            theirs = memberships.get(r.id, [])
            here = (
                next((m for m in theirs if m.cohort_id == cohort_id), None)
                if cohort_id is not None
                else current_membership(theirs, at)
            )
            if here is None:
                continue
            people.append(
                Person(
                    id=r.id,
                    name=r.name,
                    cohort_id=here.cohort_id,
                    organisation=here.organisation,
                    roles=here.roles,
                    locale=r.locale,
                    email=r.email,
                    paused_until=r.paused_until,
                    snoozed_until=r.snoozed_until,
                    labs=tuple(labs.get(r.id, [])),
                    cohort_ids=tuple(m.cohort_id for m in theirs),
                    timezone=r.timezone,
                )
            )
        return people

    async def organisation_groups(self, cohort_id: str) -> dict[str, str | None]:
        """Organisation slug -> gathering group slug."""
        rows = (
            await self.session.exec(
                select(OrganisationRow).where(OrganisationRow.cohort_id == cohort_id)
            )
        ).all()
        return {r.key: r.group_key for r in rows}

    async def update_person(self, person_id: int, **values: Any) -> None:
        allowed = {"locale", "paused_until", "snoozed_until", "name", "timezone"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        await self.session.exec(
            update(PersonRow).where(col(PersonRow.id) == person_id).values(**values)
        )
