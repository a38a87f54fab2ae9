"""What a sender holds: its claims (each a batch of outbox rows under a lease), their
renewals, the top-up claims a batch took in, and the rows whose send is under way."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta

from bot.delivery.targets import Target, resolve_targets
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock
from bot.storage.db import Database
from bot.storage.repo import OutboxItem, unit
from bot.transports.base import Transport


class Holds:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        clock: Clock,
        transports: Mapping[str, Transport],
        worker: str,
        lease: timedelta,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.transports = transports
        self.worker = worker
        self.lease = lease
        self.claims: set[str] = set()
        self.in_flight: set[int] = set()  # rows whose send is under way
        self._renewed: dict[str, float] = {}  # claim -> real time of its last renewal
        self._linked: dict[str, list[str]] = {}  # a batch's claim -> it and its top-ups'

    async def claim(self, limit: int) -> list[OutboxItem]:
        """Claim up to ``limit`` due rows this sender can send, as a new batch."""
        async with unit(self.db) as store:
            batch = await store.claim(
                self.clock.now(), self.worker, limit, list(self.transports), self.lease
            )
        if batch:
            self._hold(batch[0].claim)
            self._linked[batch[0].claim] = [batch[0].claim]
        return batch

    def _hold(self, claim: str) -> None:
        self.claims.add(claim)
        self._renewed[claim] = time.monotonic()

    async def top_up(
        self,
        first: str,
        queue: list[OutboxItem],
        targets: dict[int, Target | None],
        limit: int,
    ) -> bool:
        """Claim the next due rows into the batch of claim ``first`` (``queue``, ``targets``);
        whether there were any."""
        async with unit(self.db) as store:
            more = await store.claim(
                self.clock.now(), self.worker, limit, list(self.transports), self.lease
            )
            if more:
                targets |= await resolve_targets(store, self.catalog, self.transports, more)
        if not more:
            return False
        self._hold(more[0].claim)
        self._linked[first].append(more[0].claim)
        queue += more
        return True

    async def renew(self, claim: str) -> None:
        """Renew the lease of a batch's rows (its top-ups' too) once a third of it has passed
        (real time: the lease runs on the database's clock, whatever clock the sender has)."""
        for held in self._linked.get(claim, [claim]):
            if time.monotonic() - self._renewed.get(held, 0.0) < self.lease.total_seconds() / 3:
                continue
            async with unit(self.db) as store:
                await store.renew(held, self.lease)
            self._renewed[held] = time.monotonic()

    async def end(self, first: str) -> None:
        """The batch of claim ``first`` is done: give back what it (and its top-ups) hold."""
        for held in self._linked.pop(first, [first]):
            await self.give_back(held)

    async def give_back(self, claim: str) -> None:
        try:
            async with unit(self.db) as store:
                # A send that an error interrupted stays claimed: its lease decides.
                await store.release(claim, keep=self.in_flight)
        finally:
            self.claims.discard(claim)
            self._renewed.pop(claim, None)
