"""Group commit for the sender's slots: each slot hands in the row whose send just returned
(to be marked sent) and the row it means to send next (to be marked begun), and waits; one
transaction takes everything handed in since the last one.

So a slot never starts its next send before the row it sent is settled: a crash re-sends at
most the one row each slot had in flight, as with one commit per message, while a busy
broadcast pays one commit for all its slots' rows instead of one each (SQLite has a single
writer, and every commit there is a round trip to its thread and an fsync).

Each row is still settled and begun only under its own claim (``ClaimBatchQueries``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from bot.storage.claims_batch import Sent
from bot.storage.db import Database
from bot.storage.repo import OutboxItem, unit


def _future() -> asyncio.Future[bool]:
    return asyncio.get_running_loop().create_future()


@dataclass
class _Request:
    sent: Sent | None
    begin: OutboxItem | None
    done: asyncio.Future[bool] = field(default_factory=_future)


class Settler:
    """One per sender; safe for any number of concurrent slots and lanes of one process."""

    def __init__(self, db: Database, lease: timedelta) -> None:
        self.db = db
        self.lease = lease
        self._pending: list[_Request] = []
        self._lock = asyncio.Lock()
        self.commits = 0  # transactions so far (a figure for the benchmarks and tests)

    async def submit(self, sent: Sent | None = None, begin: OutboxItem | None = None) -> bool:
        """Settle ``sent`` and begin ``begin`` (either may be None); returns whether the claim
        still holds ``begin`` (False without one). Raises what the transaction raised."""
        request = _Request(sent, begin)
        self._pending.append(request)
        async with self._lock:
            if not request.done.done():  # nobody took it along: commit everything waiting
                batch, self._pending = self._pending, []
                await self._commit(batch, request)
        return request.done.result()

    async def renew(self, claim: str) -> None:
        """Renew the lease of every row ``claim`` holds, between two group commits, never
        beside one: both lock several of the claim's rows, and two such transactions at
        once can deadlock on PostgreSQL (each holding a row the other waits for)."""
        async with self._lock, unit(self.db) as store:
            await store.renew(claim, self.lease)

    async def _commit(self, batch: list[_Request], leader: _Request) -> None:
        # rows in id order, as every statement that locks several takes them
        sent = sorted((r.sent for r in batch if r.sent is not None), key=lambda r: r.outbox_id)
        begin = sorted((r.begin.id, r.begin.claim) for r in batch if r.begin is not None)
        try:
            async with unit(self.db) as store:
                await store.finish_sent(sent)
                # a transaction that settles a send waits for its flush; one that only marks
                # sends begun need not (a lost mark costs one crash count, never a message)
                held = await store.begin_sends(begin, self.lease, durable=bool(sent))
        except Exception as exc:  # every slot of the batch raises it (rolled back: unsettled)
            for request in batch:
                request.done.set_exception(exc)
            return
        except BaseException:  # this slot was cancelled: the next one commits the others' rows
            self._pending[:0] = [r for r in batch if r is not leader]
            leader.done.cancel()
            raise
        self.commits += 1
        for request in batch:
            request.done.set_result(request.begin is not None and request.begin.id in held)
