"""Rounds of buddies and opt-outs: claim a round once, add a third member, who is left out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from bot.storage.base import StoreBase
from bot.storage.tables import IdentityRow, MembershipRow
from bot.storage.tables_buddies import BuddyMemberRow
from bot.storage.tables_pairing import BuddyOptOutRow, BuddyRoundRow


class BuddyRoundQueries(StoreBase):
    async def claim_buddy_round(
        self, cohort_id: str, round_: int, seed: int, now: datetime
    ) -> bool:
        """Make the round, unless it is made already (by another process or an organiser):
        True when this call made it, and so must pair it."""
        values = {"cohort_id": cohort_id, "round": round_, "seed": seed, "created_at": now}
        return await self._insert_ignore(BuddyRoundRow, values) > 0

    async def buddy_rounds_made(self, cohort_id: str) -> dict[int, int]:
        """Round number -> its seed, for the rounds of the cohort made so far."""
        rows = await self.session.exec(
            select(BuddyRoundRow).where(BuddyRoundRow.cohort_id == cohort_id)
        )
        return {row.round: row.seed for row in rows}

    async def add_buddy_member(self, group_id: int, person_id: int) -> None:
        """A third person joins a pair (a late joiner), keeping the pair's group."""
        self.session.add(BuddyMemberRow(pair_id=group_id, person_id=person_id))
        await self.session.flush()

    async def buddy_opt_outs(self, cohort_id: str) -> dict[int, str]:
        """Person id -> why they are left out of pairing in the cohort."""
        rows = await self.session.exec(
            select(BuddyOptOutRow).where(BuddyOptOutRow.cohort_id == cohort_id)
        )
        return {row.person_id: row.reason for row in rows}

    async def set_buddy_opt_out(
        self, cohort_id: str, person_id: int, out: bool, now: datetime, reason: str = "self"
    ) -> bool:
        """Leave a person out of pairing (``out``) or take them back; True if it changed."""
        if out:
            values = {"cohort_id": cohort_id, "person_id": person_id, "since": now}
            return await self._insert_ignore(BuddyOptOutRow, values | {"reason": reason}) > 0
        result = await self.session.exec(
            delete(BuddyOptOutRow).where(
                col(BuddyOptOutRow.cohort_id) == cohort_id,
                col(BuddyOptOutRow.person_id) == person_id,
            )
        )
        return bool(result.rowcount)

    async def people_with_identity(self, cohort_id: str) -> set[int]:
        """Members of the cohort who have linked a chat account (joined the bot)."""
        members = select(MembershipRow.person_id).where(MembershipRow.cohort_id == cohort_id)
        rows = await self.session.exec(
            select(IdentityRow.person_id).where(col(IdentityRow.person_id).in_(members)).distinct()
        )
        return set(rows)
