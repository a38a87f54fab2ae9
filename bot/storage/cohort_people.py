"""A whole cohort's people and what fan-out needs about them, read as plain columns.

Planning reads the audience of a cohort at every moment it has something to queue; with
thousands of members, building an ORM object per person, membership, role and completion was
most of a year's planning time. These queries select only the columns needed, filter by the
cohort in SQL (a subquery, not a list of thousands of ids) and build the domain objects
directly: a handful of statements per cohort, whatever its size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.domain.people import Person, Role
from bot.storage.base import StoreBase
from bot.storage.tables import (
    CompletionRow,
    IdentityRow,
    LabChoiceRow,
    MembershipRoleRow,
    MembershipRow,
    OrganisationRow,
    PersonRow,
)
from bot.storage.tables_audience import AudienceStampRow

_ROLES = {role.value: role for role in Role}


def _members(cohort_id: str) -> Any:
    """The ids of the cohort's members, as a subquery."""
    return select(MembershipRow.person_id).where(MembershipRow.cohort_id == cohort_id)


class CohortPeopleQueries(StoreBase):
    """Set-based reads of one cohort's members (the planner's audience)."""

    async def cohort_members(self, cohort_id: str) -> list[Person]:
        """The members of a cohort by id, each with the organisation and roles they have
        there, their chosen labs and every cohort they belong to (joined first first).

        One row per member and role, then only what few have: chosen labs and memberships
        of other cohorts."""
        conn = await self.session.connection()  # plain rows: sqlmodel types up to 4 columns
        rows = (
            await conn.execute(
                sa_select(
                    col(PersonRow.id),
                    col(PersonRow.name),
                    col(PersonRow.email),
                    col(PersonRow.locale),
                    col(PersonRow.paused_until),
                    col(PersonRow.snoozed_until),
                    col(PersonRow.timezone),
                    col(OrganisationRow.key),
                    col(MembershipRoleRow.role),
                )
                .join(
                    MembershipRow,
                    and_(
                        col(MembershipRow.person_id) == col(PersonRow.id),
                        col(MembershipRow.cohort_id) == cohort_id,
                    ),
                )
                .outerjoin(
                    OrganisationRow,
                    col(OrganisationRow.id) == col(MembershipRow.organisation_id),
                )
                .outerjoin(
                    MembershipRoleRow,
                    col(MembershipRoleRow.membership_id) == col(MembershipRow.id),
                )
                .order_by(col(PersonRow.id))
            )
        ).all()
        if not rows:
            return []
        roles: dict[int, set[Role]] = {}
        for row in rows:
            if row[-1] is not None and row[0] is not None:
                roles.setdefault(row[0], set()).add(_ROLES[row[-1]])
        labs: dict[int, list[str]] = {}
        for person_id, lab_id in (
            await self.session.exec(
                select(LabChoiceRow.person_id, LabChoiceRow.lab_id)
                .where(col(LabChoiceRow.person_id).in_(_members(cohort_id)))
                .order_by(col(LabChoiceRow.chosen_at), col(LabChoiceRow.id))
            )
        ).all():
            labs.setdefault(person_id, []).append(lab_id)
        # every membership of those members who belong to other cohorts too, to list their
        # cohorts joined first first
        also_elsewhere = select(MembershipRow.person_id).where(
            col(MembershipRow.person_id).in_(_members(cohort_id)),
            MembershipRow.cohort_id != cohort_id,
        )
        elsewhere: dict[int, list[str]] = {}
        for person_id, member_of in (
            await self.session.exec(
                select(MembershipRow.person_id, MembershipRow.cohort_id)
                .where(col(MembershipRow.person_id).in_(also_elsewhere))
                .order_by(col(MembershipRow.joined_at), col(MembershipRow.id))
            )
        ).all():
            elsewhere.setdefault(person_id, []).append(member_of)
        only_here: tuple[str, ...] = (cohort_id,)
        no_roles: frozenset[Role] = frozenset()
        people: list[Person] = []
        for pid, name, email, locale, paused, snoozed, timezone, org, _ in rows:
            if pid is None or (people and people[-1].id == pid):
                continue  # one row per role: the person is built from the first
            cohorts = tuple(elsewhere[pid]) if pid in elsewhere else only_here
            people.append(
                Person(
                    id=pid,
                    name=name,
                    cohort_id=cohort_id,
                    organisation=org,
                    roles=frozenset(roles[pid]) if pid in roles else no_roles,
                    locale=locale,
                    email=email,
                    paused_until=paused,
                    snoozed_until=snoozed,
                    labs=tuple(labs[pid]) if pid in labs else (),
                    cohort_ids=cohorts,
                    timezone=timezone,
                )
            )
        return people

    async def audience_versions(self) -> dict[str, tuple[int, int, int]]:
        """Per cohort with members, what changes whenever anything the planner reads of its
        people does, by any process: the audience stamp (memberships, organisations), how
        many members, the sum of their versions (raised by triggers, never lowered;
        migration 0020). One statement for every cohort."""
        conn = await self.session.connection()
        stamp = sa_select(col(AudienceStampRow.version)).scalar_subquery()
        rows = (
            await conn.execute(
                sa_select(
                    col(MembershipRow.cohort_id),
                    stamp,
                    func.count(col(PersonRow.id)),
                    func.coalesce(func.sum(col(PersonRow.version)), 0),
                )
                .select_from(MembershipRow)
                .join(PersonRow, col(PersonRow.id) == col(MembershipRow.person_id))
                .group_by(col(MembershipRow.cohort_id))
            )
        ).all()
        return {cid: (int(st or 0), int(n), int(total)) for cid, st, n, total in rows}

    async def audience_version(self, cohort_id: str) -> tuple[int, int, int]:
        """``audience_versions`` of one cohort (one with no members: the stamp, 0, 0)."""
        conn = await self.session.connection()
        stamp = sa_select(col(AudienceStampRow.version)).scalar_subquery()
        row = (
            await conn.execute(
                sa_select(
                    stamp,
                    func.count(col(PersonRow.id)),
                    func.coalesce(func.sum(col(PersonRow.version)), 0),
                )
                .select_from(MembershipRow)
                .join(PersonRow, col(PersonRow.id) == col(MembershipRow.person_id))
                .where(col(MembershipRow.cohort_id) == cohort_id)
            )
        ).one()
        return int(row[0] or 0), int(row[1]), int(row[2])

    async def cohort_completions(self, cohort_id: str) -> dict[int, set[str]]:
        """Member id -> the refs they completed (members with none are left out)."""
        done: dict[int, set[str]] = {}
        for person_id, ref in (
            await self.session.exec(
                select(CompletionRow.person_id, CompletionRow.activity_ref).where(
                    col(CompletionRow.person_id).in_(_members(cohort_id))
                )
            )
        ).all():
            done.setdefault(person_id, set()).add(ref)
        return done

    async def unreachable_in_cohort(self, cohort_id: str) -> set[int]:
        """Members Kompis cannot reach on any of their identities (those with none are not
        counted: they have not been onboarded); as ``unreachable_people``, ids only."""
        rows = await self.session.exec(
            select(IdentityRow.person_id)
            .where(col(IdentityRow.person_id).in_(_members(cohort_id)))
            .group_by(col(IdentityRow.person_id))
            .having(func.count(col(IdentityRow.unreachable_at)) == func.count())
        )
        return set(rows.all())
