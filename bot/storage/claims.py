"""Claiming outbox rows: atomic claims under a lease, re-checked before each send, settled
only by the claim that holds them, and released when their worker is gone.

Every time here that decides who holds a row comes from the database's clock, never a
host's: two hosts whose clocks disagree still agree on whose lease has run out.

A claim is ``UPDATE ... WHERE id IN (due rows) AND status = 'pending' RETURNING ...``
(PostgreSQL adds ``FOR UPDATE SKIP LOCKED`` to the inner select, so concurrent workers skip
each other's rows instead of queueing behind them; SQLite runs the statement under its
single writer lock), so no two claims ever get the same row. Each claim has its own token,
so a worker only ever settles rows it still holds.

One recipient's rows are held by one claim at a time: a row whose person (or, without a
person, whose address) has a row under another claim is not due for this one. A claim
sends its rows in order, so one person's messages go out in the order they were queued
(by priority), however many lanes and worker processes send. On PostgreSQL two claims
made at the same moment could each miss the other's uncommitted rows, so a claim first
takes a transaction lock on each recipient of its candidates (``pg_try_advisory_xact_lock``,
skipping recipients another claim is taking right now, never waiting) and checks for rows
in flight in a second statement, whose snapshot begins after those locks are held.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    not_,
    select,
    text,
    update,
)
from sqlmodel import select as sm_select

from bot.domain.messages import Address
from bot.storage.base import StoreBase
from bot.storage.claim_rows import (
    OUTBOX,
    PENDING,
    RECIPIENT_LOCK_CLASS,
    SENDING,
    behind_in_line,
    claimed_item,
    free_of_claims,
    held_by,
    rows_touched,
    servable,
)
from bot.storage.claim_statements import Call, begin_send_call, db_time, finish_call
from bot.storage.outbox import OutboxItem


def new_claim_token(worker: str) -> str:
    """A token naming one claim: the worker (for people reading the table) and a random part
    (so a restarted worker of the same name never mistakes a dead one's rows for its own)."""
    return f"{worker[:40]}:{uuid.uuid4().hex[:16]}"


class ClaimQueries(StoreBase):
    """Claim, renew, re-check and settle outbox rows (giving them back: claim_release)."""

    async def database_now(self) -> datetime:
        """The database server's current time (UTC): the one clock every worker shares."""
        if self._dialect == "postgresql":
            moment = (await self.session.exec(sm_select(func.clock_timestamp()))).one()
            assert isinstance(moment, datetime)
            return moment.astimezone(UTC)
        text = (await self.session.exec(sm_select(func.strftime("%Y-%m-%d %H:%M:%f", "now")))).one()
        return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)

    def _db_time(self, later: timedelta = timedelta(0)) -> Any:
        """The database's clock, plus ``later``, as an SQL expression (no round trip)."""
        return db_time(self._dialect, later)

    async def claim(
        self,
        now: datetime,
        worker: str,
        limit: int = 100,
        platforms: Collection[str] | None = None,
        lease: timedelta = timedelta(minutes=1),
    ) -> list[OutboxItem]:
        """Take up to ``limit`` due pending rows, highest priority first, under one new claim
        that holds until ``lease`` from now (database time) unless renewed. ``platforms``:
        only rows this worker can send (a bare address on one of them, a person with a
        reachable identity on one of them, or a person reachable nowhere, to be skipped)."""
        due = (
            select(OUTBOX.c.id, OUTBOX.c.person_id, OUTBOX.c.address)
            .where(OUTBOX.c.status == PENDING, OUTBOX.c.not_before <= now, free_of_claims())
            .order_by(OUTBOX.c.priority, OUTBOX.c.not_before, OUTBOX.c.id)
            .limit(limit)
        )
        if platforms is not None:
            due = due.where(servable(list(platforms)))
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True, of=OUTBOX)
            chosen = due.cte("due")
            recipient = case(
                (chosen.c.person_id.is_not(None), chosen.c.person_id),
                else_=func.hashtext(chosen.c.address),
            )
            # A CTE runs once, so only the chosen rows' recipients are locked.
            mine = sm_select(chosen.c.id).where(
                func.pg_try_advisory_xact_lock(RECIPIENT_LOCK_CLASS, recipient)
            )
            ids = [int(i) for i in (await self.session.exec(mine)).all()]
            if not ids:
                return []
            # checked again in a snapshot taken after the recipients' locks: a claim that
            # committed meanwhile is seen now
            picked: Any = and_(
                OUTBOX.c.id.in_(ids), free_of_claims(), not_(behind_in_line(ids, now))
            )
        else:
            # One statement under SQLite's write lock; the IN list is read before any row
            # changes (so a person's second row is not taken for busy with the first).
            picked = OUTBOX.c.id.in_(select(due.cte("due").c.id))
        token = new_claim_token(worker)
        result = await self.session.exec(
            update(OUTBOX)
            .where(picked, OUTBOX.c.status == PENDING)
            .values(
                status=SENDING,
                claimed_by=token,
                claimed_at=self._db_time(),
                lease_until=self._db_time(lease),
            )
            .returning(*OUTBOX.c)
        )
        items = [claimed_item(row._mapping, token) for row in result.all()]
        return sorted(items, key=lambda i: (i.priority, i.not_before, i.id))

    async def _asynchronous_commit(self) -> None:
        """PostgreSQL: this transaction's commit need not wait for its WAL flush. For lease
        renewals and the "send begun" mark that is safe: a crashed worker cannot lose them
        (the server has them), and only a crash of the database server itself within a
        fraction of a second could, costing a lease renewal or one crash count."""
        if self._dialect == "postgresql":
            connection = await self.session.connection()
            await connection.execute(text("SET LOCAL synchronous_commit TO OFF"))

    async def renew(self, claim: str, lease: timedelta) -> set[int]:
        """Extend the lease of every row ``claim`` still holds; returns their ids."""
        await self._asynchronous_commit()
        result = await self.session.exec(
            update(OUTBOX)
            .where(OUTBOX.c.claimed_by == claim, OUTBOX.c.status == SENDING)
            .values(lease_until=self._db_time(lease))
            .returning(OUTBOX.c.id)
        )
        return {int(row_id) for row_id in result.scalars().all()}

    async def begin_send(
        self, outbox_id: int, claim: str, lease: timedelta, alone: bool = True
    ) -> bool:
        """Just before a send: True if ``claim`` still holds the row, and then the attempt is
        counted, marked begun (a worker that dies now leaves that trace) and the lease
        renewed. A worker that was paused past its lease finds its row released and must
        not send it. ``alone``: nothing else in this transaction (its commit may then be
        asynchronous); a transaction that also settles a row commits as it always does."""
        if alone:
            await self._asynchronous_commit()
        connection = await self.session.connection()  # Core: no ORM pass for a table row
        result = await connection.execute(*begin_send_call(self._dialect, outbox_id, claim, lease))
        return rows_touched(result) > 0

    async def settled(self, outbox_id: int) -> bool:
        """Whether the row is settled (sent, skipped, failed, dead) or gone: merged into
        another message by the composer, say, rather than taken over by another worker."""
        query = sm_select(OUTBOX.c.status).where(OUTBOX.c.id == outbox_id)
        status = (await self.session.exec(query)).first()
        return status is None or status not in (PENDING, SENDING)

    async def save_parts_sent(self, outbox_id: int, claim: str, parts_sent: int) -> None:
        """A part of a split message is out: a retry after a crash resumes after it."""
        await self.session.exec(
            update(OUTBOX).where(*held_by(outbox_id, claim)).values(parts_sent=parts_sent)
        )

    async def execute_call(self, call: Call) -> int:
        """Run a prepared statement (``claim_statements``) on this unit's connection; returns
        how many rows it touched."""
        return rows_touched(await (await self.session.connection()).execute(*call))

    async def finish(
        self,
        outbox_id: int,
        status: str,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
        parts_sent: int | None = None,
        claim: str | None = None,
        failing_since: datetime | None = None,
        platform: str | None = None,
        sent_to: tuple[Address, list[str]] | None = None,
    ) -> bool:
        """Record the outcome of one send attempt: sent, skipped, failed, dead, or back to
        pending (at ``retry_at``). With ``claim``, only if that claim still holds the row
        (returns False otherwise: another worker has it now, and its outcome counts)."""
        statement, params = finish_call(
            outbox_id,
            status,
            now,
            error,
            retry_at,
            parts_sent,
            claim,
            failing_since,
            platform,
            sent_to,
        )
        result = await (await self.session.connection()).execute(statement, params)
        return rows_touched(result) > 0
