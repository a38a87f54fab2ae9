"""Coordination between processes and redeliveries: the planner lock, inbound de-duplication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from bot.storage.base import StoreBase
from bot.storage.tables import (
    InboundSeenRow,
)

# An arbitrary constant naming the planner's advisory lock (the bytes of "kompisPL").
PLANNER_LOCK_ID = 0x6B6F6D706973504C


class CoordinationQueries(StoreBase):
    """The planner lock and inbound de-duplication."""

    async def first_time_seen(self, platform: str, event_id: str, now: datetime) -> bool:
        values = {"platform": platform, "event_id": event_id, "seen_at": now}
        return await self._insert_ignore(InboundSeenRow, values) > 0

    async def try_planner_lock(self) -> bool:
        """Become the planner for the rest of this transaction, if no other process is.

        PostgreSQL: a transaction-scoped advisory lock, released by commit, rollback or a
        dropped connection, so a crashed planner never leaves it taken. SQLite: always true,
        because only one process may use a SQLite database (see ``bot.storage.single``)."""
        if self._dialect != "postgresql":
            return True
        result = await self.session.exec(select(func.pg_try_advisory_xact_lock(PLANNER_LOCK_ID)))
        return bool(result.one())
