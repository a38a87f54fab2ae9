"""Cohort rows kept in line with the schedule files, and the planning watermark."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import col, select

from bot.domain.cohort import Cohort
from bot.domain.text import pick
from bot.storage.base import StoreBase
from bot.storage.tables import (
    CohortRow,
    GatheringGroupRow,
    OrganisationRow,
)


class CohortQueries(StoreBase):
    """Cohorts, their gathering groups and organisations."""

    async def sync_cohort(self, cohort: Cohort) -> None:
        """Create or update a cohort, its gathering groups and organisations from its schedule."""
        s = self.session
        row = await s.get(CohortRow, cohort.id)
        name = pick(cohort.name, cohort.locale)
        if row is None:
            row = CohortRow(
                id=cohort.id,
                programme_id=cohort.programme,
                name=name,
                timezone=cohort.timezone,
                locale=cohort.locale,
                country=cohort.country,
            )
        else:
            row.programme_id, row.name, row.timezone = cohort.programme, name, cohort.timezone
            row.locale, row.country = cohort.locale, cohort.country
        row.starts_on, row.ends_on = cohort.span() or (None, None)
        s.add(row)
        groups = {
            g.key: g
            for g in (
                await s.exec(
                    select(GatheringGroupRow).where(GatheringGroupRow.cohort_id == cohort.id)
                )
            ).all()
        }
        for group in cohort.gathering_groups:
            grow = groups.get(group.id) or GatheringGroupRow(
                cohort_id=cohort.id, key=group.id, name=""
            )
            grow.name = pick(group.name, cohort.locale)
            s.add(grow)
        orgs = {
            o.key: o
            for o in (
                await s.exec(select(OrganisationRow).where(OrganisationRow.cohort_id == cohort.id))
            ).all()
        }
        for org in cohort.organisations:
            orow = orgs.get(org.id) or OrganisationRow(
                cohort_id=cohort.id, key=org.id, name="", kind=""
            )
            orow.name, orow.kind, orow.group_key = org.name, org.kind.value, org.group
            s.add(orow)
        await s.flush()

    async def planned_until(self, cohort_id: str) -> datetime | None:
        row = await self.session.get(CohortRow, cohort_id)
        return row.planned_until if row else None

    async def planned_untils(self, cohort_ids: list[str]) -> dict[str, datetime | None]:
        """The watermarks of these cohorts in one statement (known cohorts only)."""
        rows = await self.session.exec(
            select(CohortRow.id, CohortRow.planned_until).where(col(CohortRow.id).in_(cohort_ids))
        )
        return dict(rows.all())

    async def set_planned_untils(self, moments: dict[str, datetime]) -> None:
        """Set several cohorts' watermarks in one statement, executed for each."""
        if not moments:
            return
        table = CohortRow.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(planned_until=bindparam("at"))
        )
        conn = await self.session.connection()
        await conn.execute(statement, [{"cid": c, "at": at} for c, at in moments.items()])

    async def set_planned_until(self, cohort_id: str, moment: datetime) -> None:
        await self.session.exec(
            update(CohortRow).where(col(CohortRow.id) == cohort_id).values(planned_until=moment)
        )
