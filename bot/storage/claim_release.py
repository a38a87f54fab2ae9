"""Giving claimed outbox rows back: one row whose chat had no budget (deferred, not an
attempt), every row of a claim when its drain stops, and rows whose lease ran out because
their worker died or hung (counting a crash when a send was under way)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update

from bot.storage.claim_rows import OUTBOX, PENDING, SENDING, held_by, rows_touched
from bot.storage.claims import ClaimQueries
from bot.storage.outbox import OutboxStatus


class ReleaseQueries(ClaimQueries):
    """Defer, release and recover claimed rows (on the database's clock)."""

    async def defer(self, outbox_id: int, not_before: datetime, claim: str | None = None) -> None:
        """Put a claimed row back unsent (its chat had no send budget); not an attempt."""
        where = held_by(outbox_id, claim) if claim else [OUTBOX.c.id == outbox_id]
        await self.session.exec(
            update(OUTBOX)
            .where(*where)
            .values(status=PENDING, claimed_by=None, lease_until=None, not_before=not_before)
        )

    async def release(self, claim: str, keep: Collection[int] = ()) -> int:
        """Give back every row ``claim`` holds except ``keep`` (a send under way when an
        error unwound the drain); a graceful stop keeps none."""
        result = await self.session.exec(
            update(OUTBOX)
            .where(
                OUTBOX.c.claimed_by == claim,
                OUTBOX.c.status == SENDING,
                OUTBOX.c.id.not_in(list(keep)),
            )
            .values(status=PENDING, claimed_by=None, lease_until=None, send_started_at=None)
        )
        return rows_touched(result)

    async def release_stale_claims(self, poison_after: int = 3) -> int:
        """Put rows whose lease ran out (their worker died or hung) back in the queue. A row
        whose send was under way counts a crash; after ``poison_after`` of them it goes dead
        with the reason instead, so a message that kills its worker cannot do so for ever."""
        now = self._db_time()
        stale = and_(
            OUTBOX.c.status == SENDING,
            or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < now),
        )
        if self._dialect == "postgresql":
            # Rows a stopped or hung worker has locked in an open transaction are skipped,
            # not waited for: recovery never blocks behind the worker it is recovering from.
            locked = select(OUTBOX.c.id).where(stale).with_for_update(skip_locked=True)
            stale = and_(stale, OUTBOX.c.id.in_(select(locked.cte("stale").c.id)))
        crashed = OUTBOX.c.send_started_at.is_not(None)
        await self.session.exec(
            update(OUTBOX)
            .where(stale, crashed, OUTBOX.c.crashes + 1 >= poison_after)
            .values(
                status=OutboxStatus.DEAD.value,
                crashes=OUTBOX.c.crashes + 1,
                send_started_at=None,
                lease_until=None,
                failing_since=func.coalesce(OUTBOX.c.failing_since, now),
                last_error=(
                    f"the worker stopped while sending it {poison_after} times "
                    "(a message that crashes the sender); fix the cause, then "
                    "`kompis outbox retry`"
                ),
            )
        )
        result = await self.session.exec(
            update(OUTBOX)
            .where(stale)
            .values(
                status=PENDING,
                claimed_by=None,
                lease_until=None,
                crashes=case((crashed, OUTBOX.c.crashes + 1), else_=OUTBOX.c.crashes),
                send_started_at=None,
            )
        )
        return rows_touched(result)
