"""People, their roles and organisations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.domain.people import Person, Role
from bot.storage.base import StoreBase
from bot.storage.tables import (
    LabChoiceRow,
    OrganisationRow,
    PersonRow,
    RoleRow,
)


class PeopleQueries(StoreBase):
    """People of a cohort: add, look up, update."""

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
        org_id = await self._org_id(cohort_id, organisation) if organisation else None
        row = PersonRow(
            name=name,
            email=email,
            cohort_id=cohort_id,
            organisation_id=org_id,
            locale=locale,
            created_at=now,
            timezone=timezone,
        )
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        for role in set(roles):
            self.session.add(RoleRow(person_id=row.id, role=role.value))
        await self.session.flush()
        return row.id

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

    async def person(self, person_id: int) -> Person | None:
        people = await self._people(select(PersonRow).where(PersonRow.id == person_id))
        return people[0] if people else None

    async def person_by_email(self, email: str) -> Person | None:
        people = await self._people(
            select(PersonRow).where(func.lower(PersonRow.email) == email.strip().lower())
        )
        return people[0] if people else None

    async def people(self, person_ids: Iterable[int]) -> dict[int, Person]:
        """Many people by id, in four queries whatever their number."""
        ids = list(set(person_ids))
        return {
            p.id: p for p in await self._people(select(PersonRow).where(col(PersonRow.id).in_(ids)))
        }

    async def people_in_cohort(self, cohort_id: str) -> list[Person]:
        return await self._people(
            select(PersonRow).where(PersonRow.cohort_id == cohort_id).order_by(col(PersonRow.id))
        )

    async def _people(self, query: Any) -> list[Person]:
        rows: Sequence[PersonRow] = (await self.session.exec(query)).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        roles: dict[int, set[Role]] = {}
        for rrow in (
            await self.session.exec(select(RoleRow).where(col(RoleRow.person_id).in_(ids)))
        ).all():
            roles.setdefault(rrow.person_id, set()).add(Role(rrow.role))
        labs: dict[int, list[str]] = {}
        for lrow in (
            await self.session.exec(
                select(LabChoiceRow)
                .where(col(LabChoiceRow.person_id).in_(ids))
                .order_by(col(LabChoiceRow.chosen_at), col(LabChoiceRow.id))
            )
        ).all():
            labs.setdefault(lrow.person_id, []).append(lrow.lab_id)
        org_ids = {r.organisation_id for r in rows if r.organisation_id}
        orgs = {
            o.id: o.key
            for o in (
                await self.session.exec(
                    select(OrganisationRow).where(col(OrganisationRow.id).in_(org_ids))
                )
            ).all()
        }
        return [
            Person(
                id=r.id,
                name=r.name,
                cohort_id=r.cohort_id,
                organisation=orgs.get(r.organisation_id) if r.organisation_id else None,
                roles=frozenset(roles.get(r.id, set())),
                locale=r.locale,
                email=r.email,
                paused_until=r.paused_until,
                snoozed_until=r.snoozed_until,
                pending_activity=r.pending_activity,
                labs=tuple(labs.get(r.id, [])),
                timezone=r.timezone,
            )
            for r in rows
            if r.id is not None
        ]

    async def organisation_groups(self, cohort_id: str) -> dict[str, str | None]:
        """Organisation slug -> gathering group slug."""
        rows = (
            await self.session.exec(
                select(OrganisationRow).where(OrganisationRow.cohort_id == cohort_id)
            )
        ).all()
        return {r.key: r.group_key for r in rows}

    async def update_person(self, person_id: int, **values: Any) -> None:
        allowed = {
            "locale",
            "paused_until",
            "snoozed_until",
            "pending_activity",
            "name",
            "timezone",
        }
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        await self.session.exec(
            update(PersonRow).where(col(PersonRow.id) == person_id).values(**values)
        )
