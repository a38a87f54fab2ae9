"""Claimed outbox rows settled and begun several at a time: one statement for the rows a
group commit of the sender (``bot.delivery.settle``) gathers, instead of one per row.

Each row is still checked against its own claim, exactly as ``ClaimQueries.begin_send`` and
``finish`` check one: a row another worker holds now is neither begun nor settled.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, text, type_coerce, update
from sqlmodel.sql.sqltypes import UTCDateTime

from bot.domain.messages import Address
from bot.storage.base import StoreBase
from bot.storage.outbox import OutboxStatus
from bot.storage.tables import OutboxRow

OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]
SENDING = OutboxStatus.SENDING.value


@dataclass(frozen=True)
class Sent:
    """A row whose send returned: where it went and the platform's id of every part."""

    outbox_id: int
    claim: str
    at: datetime
    address: Address
    ids: list[str]


# One statement for every settled row (executemany): the same compiled UPDATE, one row of
# parameters each. The parameter names differ from the columns (SQLAlchemy requires it).
_SETTLE_SENT = (
    update(OUTBOX)
    .where(
        OUTBOX.c.id == bindparam("row_id"),
        OUTBOX.c.claimed_by == bindparam("row_claim"),
        OUTBOX.c.status == SENDING,
    )
    .values(
        status=OutboxStatus.SENT.value,
        last_error=None,
        send_started_at=None,
        lease_until=None,
        failing_since=None,
        sent_at=bindparam("row_sent_at", type_=UTCDateTime()),
        platform=bindparam("row_platform"),
        sent_parts=bindparam("row_sent_parts"),
    )
)


class ClaimBatchQueries(StoreBase):
    """Begin and settle several claimed rows in one statement each."""

    def _db_time(self, later: timedelta = timedelta(0)) -> Any:
        """The database's clock, plus ``later``, as an SQL expression (no round trip)."""
        if self._dialect == "postgresql":
            moment: Any = func.clock_timestamp()
            if later:
                moment = moment + later
        else:
            # SQLite's clock has milliseconds; pad to the microseconds SQLAlchemy stores, so
            # the text compares (and reads back) like a stored datetime.
            offset = f"{later.total_seconds():+.3f} seconds"
            moment = func.strftime("%Y-%m-%d %H:%M:%f", "now", offset).concat("000")
        return type_coerce(moment, UTCDateTime())

    async def finish_sent(self, rows: Sequence[Sent]) -> None:
        """Record ``rows`` as sent (what ``finish(..., SENT, claim=...)`` records for one),
        each only if its claim still holds it."""
        if not rows:
            return
        params = [
            {
                "row_id": row.outbox_id,
                "row_claim": row.claim,
                "row_sent_at": row.at,
                "row_platform": row.address.platform,
                "row_sent_parts": json.dumps({"address": asdict(row.address), "ids": row.ids}),
            }
            for row in rows
        ]
        connection = await self.session.connection()
        await connection.execute(_SETTLE_SENT, params)

    async def begin_sends(
        self, rows: Sequence[tuple[int, str]], lease: timedelta, durable: bool = True
    ) -> set[int]:
        """``begin_send`` for several (row id, claim) pairs at once: the ids the claims still
        hold, now counted an attempt, marked begun and their lease renewed. ``durable``
        False: commit without waiting for the WAL flush (PostgreSQL; see
        ``ClaimQueries._asynchronous_commit``), when the transaction settles nothing."""
        if not rows:
            return set()
        connection = await self.session.connection()
        if not durable and self._dialect == "postgresql":
            await connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
        held: set[int] = set()
        for claim in {claim for _, claim in rows}:
            ids = [row_id for row_id, mine in rows if mine == claim]
            result = await connection.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_(ids),
                    OUTBOX.c.claimed_by == claim,
                    OUTBOX.c.status == SENDING,
                )
                .values(
                    attempts=OUTBOX.c.attempts + 1,
                    send_started_at=self._db_time(),
                    lease_until=self._db_time(lease),
                )
                .returning(OUTBOX.c.id)
            )
            held |= {int(row_id) for row_id in result.scalars().all()}
        return held
