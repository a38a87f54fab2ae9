"""Who was left out of a buddy round and why: recorded once, told once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from bot.domain.ports_pairing import LeftOutRecord
from bot.storage.base import StoreBase
from bot.storage.tables_left_out import BuddyLeftOutRow


class LeftOutQueries(StoreBase):
    async def record_left_out(
        self,
        cohort_id: str,
        round_: int,
        reasons: dict[int, str],
        now: datetime,
        told: Iterable[int] = (),
    ) -> int:
        """Note that these people (id -> reason) had no buddy in the round; a person noted
        already for the round keeps their first row. ``told``: they know already."""
        known = set(told)
        rows = [
            {
                "cohort_id": cohort_id,
                "round": round_,
                "person_id": person_id,
                "reason": reason,
                "since": now,
                "told_at": now if person_id in known else None,
            }
            for person_id, reason in sorted(reasons.items())
        ]
        return await self._insert_ignore(BuddyLeftOutRow, rows)

    async def pending_left_out(self, cohort_id: str) -> list[LeftOutRecord]:
        """The rows of the cohort not told yet, oldest round first."""
        rows = await self.session.exec(
            select(BuddyLeftOutRow)
            .where(BuddyLeftOutRow.cohort_id == cohort_id, col(BuddyLeftOutRow.told_at).is_(None))
            .order_by(col(BuddyLeftOutRow.round), col(BuddyLeftOutRow.person_id))
        )
        return [LeftOutRecord(r.round, r.person_id, r.reason) for r in rows]

    async def mark_left_out_told(self, cohort_id: str, person_id: int, now: datetime) -> int:
        """Every pending row of the person in the cohort is told; returns how many."""
        result = await self.session.exec(
            update(BuddyLeftOutRow)
            .where(
                col(BuddyLeftOutRow.cohort_id) == cohort_id,
                col(BuddyLeftOutRow.person_id) == person_id,
                col(BuddyLeftOutRow.told_at).is_(None),
            )
            .values(told_at=now)
        )
        return int(result.rowcount or 0)
