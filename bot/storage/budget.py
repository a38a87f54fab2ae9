"""Reservations of send slots from the budget several delivery processes share
(``bot.delivery.ratelimit.SharedBudget``; the table is ``tables_budget``)."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.db import Database

# One statement, so two processes reserving at once get two different slots: the row is
# locked by the upsert, and the slot is computed on the database's own clock.
_RESERVE = text(
    """
    INSERT INTO send_budget (key, next_at)
    VALUES (:key, extract(epoch FROM clock_timestamp()) + :interval)
    ON CONFLICT (key) DO UPDATE
    SET next_at = greatest(send_budget.next_at, extract(epoch FROM clock_timestamp()))
        + :interval
    RETURNING next_at - :interval - extract(epoch FROM clock_timestamp())
    """
)


async def reserve_send(connection: AsyncConnection, key: str, interval: float) -> float:
    """Take the next free slot of budget ``key`` (one send per ``interval`` seconds over all
    processes); returns the seconds until that slot (0 or less: now). PostgreSQL only: on
    SQLite one process sends, and its own limiter is the whole budget."""
    result = await connection.execute(_RESERVE, {"key": key, "interval": interval})
    return float(result.scalar_one())


class BudgetConnection:
    """A connection of its own for reservations, in autocommit: one round trip each (a
    transaction would take four), shared by the process's senders one at a time."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    async def reserve(self, key: str, interval: float) -> float:
        """``reserve_send`` on this connection; a dropped connection is replaced once."""
        async with self._lock:
            try:
                return await reserve_send(await self._connect(), key, interval)
            except DBAPIError:
                await self._close()
            return await reserve_send(await self._connect(), key, interval)

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            engine = self.db.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._connection = await engine.connect()
            # A reservation lost to a crashed database server only leaves a slot unused.
            await self._connection.execute(text("SET synchronous_commit TO OFF"))
        return self._connection

    @property
    def connected(self) -> bool:
        return self._connection is not None

    async def close(self) -> None:
        async with self._lock:
            await self._close()

    async def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                await connection.close()
