"""Privacy queries: a person's data (export), erasing a person, purging a finished cohort."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import erase
from bot.storage.base import StoreBase
from bot.storage.personal import parts_of, table


class PrivacyQueries(StoreBase):
    async def _raw(self) -> AsyncConnection:
        """The session's connection, for the table-level statements of the walk (the same
        transaction); what the session holds is written first and forgotten after."""
        await self.session.flush()
        return await self.session.connection()

    async def people_with_email(self, email: str) -> list[int]:
        """Everyone with this e-mail address (case does not matter): usually one."""
        person = table("person")
        rows = await (await self.session.connection()).execute(
            select(person.c.id)
            .where(func.lower(person.c.email) == email.strip().lower())
            .order_by(person.c.id)
        )
        return [int(found) for found in rows.scalars()]

    async def person_known(self, person_id: int) -> bool:
        person = table("person")
        connection = await self.session.connection()
        found = await connection.execute(select(person.c.id).where(person.c.id == person_id))
        return found.first() is not None

    async def personal_data(self, person_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row that names the person (and the rows hanging off them), per table, as
        stored; ``bot.domain.privacy`` makes a document of it."""
        found: dict[str, list[dict[str, Any]]] = {}
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        for part in parts_of(person_id):
            keys = [column.name for column in part.table.primary_key.columns]
            for row in (await (await self.session.connection()).execute(part.query)).mappings():
                mark = (part.table.name, tuple(row[k] for k in keys))
                if mark not in seen:
                    seen.add(mark)
                    found.setdefault(part.table.name, []).append(dict(row))
        return found

    async def forget_person(self, person_id: int) -> dict[str, int]:
        """Erase the person and everything that names them; counts per table."""
        counts = dict(await erase.forget(await self._raw(), person_id))
        self.session.expunge_all()
        return counts

    async def cohort_ends_on(self, cohort_id: str) -> tuple[bool, date | None]:
        """Whether the cohort is known, and its last day."""
        cohort = table("cohort")
        row = (
            await (await self.session.connection()).execute(
                select(cohort.c.ends_on).where(cohort.c.id == cohort_id)
            )
        ).first()
        return (row is not None, row.ends_on if row is not None else None)

    async def purge_cohort(self, cohort_id: str) -> dict[str, int]:
        """Erase the cohort's personal data: its people who are in no other cohort entirely,
        the others' rows of this cohort. Counts per table."""
        membership = table("membership")
        people = (
            await (await self.session.connection()).execute(
                select(membership.c.person_id).where(membership.c.cohort_id == cohort_id)
            )
        ).scalars()
        counts: Counter[str] = Counter()
        for person_id in sorted(set(people)):
            others = await (await self.session.connection()).execute(
                select(func.count())
                .select_from(membership)
                .where(membership.c.person_id == person_id, membership.c.cohort_id != cohort_id)
            )
            if others.scalar_one():
                await erase.forget_in_cohort(await self._raw(), person_id, cohort_id, counts)
            else:
                counts.update(await erase.forget(await self._raw(), person_id))
        self.session.expunge_all()
        return dict(+counts)
