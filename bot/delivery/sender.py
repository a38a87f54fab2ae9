"""Drain the outbox: claim due rows, render each for its recipient, send, record the outcome.

A batch of rows is claimed (``sending``, under a lease on the database's clock) in one
short transaction. ``window`` slots then work through it side by side, each with one row in
flight: a slot picks the next row whose chat has send budget now, re-checks that its claim
still holds the row and counts the attempt, sends it, and has it settled before it starts
the next one (``settle.Settler``: one commit takes every slot's rows handed in meanwhile).
While it works (and while it waits for send budget) the sender renews the lease. A worker
that dies stops renewing, and any worker's next tick puts its rows back (``recover``), so a
crash can duplicate at most the one message each slot had between its send and its
settling, and never loses one. One row that fails, for whatever reason, is settled on its
own (retried, or dead with the reason) and the drain goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from bot.delivery.failures import Failures
from bot.delivery.parts import PartlySent, PartSender, Sleep
from bot.delivery.ratelimit import Monotonic, RateLimiter, SharedBudget
from bot.delivery.retry import RetryPolicy
from bot.delivery.settle import Settler
from bot.delivery.slots import BatchRun
from bot.delivery.targets import Target, resolve_targets
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock
from bot.rendering.renderer import Renderer
from bot.storage.db import Database
from bot.storage.repo import OutboxItem, unit
from bot.transports.base import Limits, Transport

__all__ = ["PartlySent", "RetryPolicy", "Sender"]

log = logging.getLogger(__name__)

#: sends in flight per drain (a lane): each slot one row at a time (see ``slots``)
WINDOW = 8


class Sender:
    """Drains the outbox through the transports, within each platform's send budget."""

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        renderer: Renderer,
        clock: Clock,
        transports: dict[str, Transport],
        worker: str = "worker-1",
        retry: RetryPolicy | None = None,
        limits: dict[str, Limits | None] | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_wait: float = 30.0,
        lease: timedelta = timedelta(seconds=60),
        poison_after: int = 3,
        shared_budget: bool = False,
        window: int = WINDOW,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.renderer = renderer
        self.clock = clock
        self.transports = transports
        self.worker = worker
        self.retry = retry or RetryPolicy()
        self.limiters = {
            platform: RateLimiter(
                transport.limits or (limits or {}).get(platform), monotonic=monotonic
            )
            for platform, transport in transports.items()
        }
        self.failures = Failures(db, clock, self.retry, self.limiters)
        # several processes: the overall budget is reserved through the database
        self.shared = (
            SharedBudget(db, {p: lim.limits for p, lim in self.limiters.items()})
            if shared_budget
            else None
        )
        self.sleep = sleep
        self.window = max(1, window)
        self.parts = PartSender(db, renderer, self.limiters, self.shared, self.pause, sleep)
        self.settler = Settler(db, lease)
        # The sender waits for a chat's budget itself up to this long (a busy group chat);
        # longer waits (a 429 hold, an outage) give the rows back to the queue until then.
        self.max_wait = max_wait
        self.lease = lease
        self.poison_after = poison_after
        self.stopping = False  # no new send starts (``request_stop``, ``stop``)
        # a row a worker stopped while sending is sent with nothing else in flight beside
        # it: with several in flight, each crash would count against all of them
        self.suspect: int | None = None
        self.picked: set[int] = set()  # rows the slots of every drain hold right now
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._claims: set[str] = set()
        self.in_flight: set[int] = set()  # rows whose send is under way
        self._renewed: dict[str, float] = {}  # claim -> real time of its last renewal

    async def drain(self, limit: int = 100) -> int:
        """Send everything due now, in batches; returns how many rows were settled. Safe to
        call concurrently (each call claims its own rows); after ``stop()`` it sends nothing.
        A single ``transport.send`` must finish well within the lease (the transports' own
        timeouts are seconds; the lease a minute by default)."""
        settled = 0
        self._active += 1
        self._idle.clear()
        try:
            while not self.stopping:
                async with unit(self.db) as store:
                    batch = await store.claim(
                        self.clock.now(), self.worker, limit, list(self.transports), self.lease
                    )
                if not batch:
                    break
                claim = batch[0].claim
                self._claims.add(claim)
                self._renewed[claim] = time.monotonic()
                try:
                    settled += await self._send_batch(batch)
                finally:
                    await self._give_back(claim)
                if len(batch) < limit:
                    break
            return settled
        finally:
            self._active -= 1
            if not self._active:
                self._idle.set()

    def request_stop(self, stopping: bool = True) -> None:
        """Ask running drains to stop after the send under way (``False``: drain again);
        the background loop's switch. ``stop()`` also waits and gives the claims back."""
        self.stopping = stopping

    async def stop(self, grace: float = 30.0) -> None:
        """Stop gracefully: the send under way finishes, nothing new starts, and every row
        claimed but not sent goes back to the queue for the next worker."""
        self.stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("delivery did not stop within %ss; giving its claims back", grace)
        for claim in list(self._claims):
            await self._give_back(claim)
        if self.shared is not None:
            await self.shared.close()  # its own connection; a later drain opens a new one

    async def recover(self) -> int:
        """Put rows whose claim's lease ran out back in the queue (any worker, every tick)."""
        async with unit(self.db) as store:
            released = await store.release_stale_claims(self.poison_after)
        if released:
            log.info("put %s stale outbox claims back in the queue", released)
        return released

    async def _give_back(self, claim: str) -> None:
        try:
            async with unit(self.db) as store:
                # A send that an error interrupted stays claimed: its lease decides.
                await store.release(claim, keep=self.in_flight)
        finally:
            self._claims.discard(claim)
            self._renewed.pop(claim, None)

    async def _send_batch(self, batch: list[OutboxItem]) -> int:
        """Send a claimed batch, each slot always picking the next message whose chat has
        budget now, so one busy chat never stalls a broadcast. Returns how many rows were
        settled."""
        async with unit(self.db) as store:
            targets = await resolve_targets(store, self.catalog, self.transports, batch)
        return await BatchRun(self, batch, targets).run(self.window)

    def limiter(self, target: Target) -> RateLimiter:
        return self.limiters[target[0].platform]

    async def pause(self, seconds: float, claim: str) -> None:
        """Wait for send budget, renewing the claim's lease as the wait goes on."""
        step = max(self.lease.total_seconds() / 3, 0.001)
        while seconds > 0 and not self.stopping:
            await self.sleep(min(seconds, step))
            seconds -= step
            await self.renew(claim)

    async def renew(self, claim: str) -> None:
        """Renew the lease of a claim's rows once a third of it has passed (real time: the
        lease runs on the database's clock, whatever clock the sender is given)."""
        if time.monotonic() - self._renewed.get(claim, 0.0) < self.lease.total_seconds() / 3:
            return
        self._renewed[claim] = time.monotonic()  # one slot renews; the others go on
        await self.settler.renew(claim)

    async def defer(self, queue: list[OutboxItem], targets: dict[int, Target | None]) -> None:
        """Give rows back to the queue until their chat has budget; not a failed attempt."""
        now = self.clock.now()
        async with unit(self.db) as store:
            for item in queue:
                target = targets[item.id]
                wait = self.limiter(target).wait(target[0]) if target else 0.0
                await store.defer(item.id, now + timedelta(seconds=wait), item.claim)
