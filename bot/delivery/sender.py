"""Drain the outbox: claim due rows, render each for its recipient, send, record the outcome.

A row is claimed (``sending``, under a lease on the database's clock) in one short
transaction and settled in another. Before each send the sender re-checks that its claim
still holds the row and counts the attempt; while it works (and while it waits for send
budget) it renews the lease. A worker that dies stops renewing, and any worker's next tick
puts its rows back (``recover``), so a crash can duplicate at most the one message that was
between its send and its settling, and never loses one. One row that fails, for whatever
reason, is settled on its own (retried, or dead with the reason) and the drain goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from bot.delivery import settle
from bot.delivery.failures import Failures
from bot.delivery.holds import Holds
from bot.delivery.parts import NotOurs, PartlySent, PartSender, Sleep
from bot.delivery.picking import next_row, waits_on_workspaces
from bot.delivery.ratelimit import Monotonic, RateLimiter, SharedBudget
from bot.delivery.retry import RetryPolicy
from bot.delivery.targets import Target, resolve_targets
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock
from bot.features.compose import as_queued, compose, needs_state
from bot.rendering.renderer import Renderer
from bot.storage.db import Database
from bot.storage.outbox import OutboxStatus
from bot.storage.repo import OutboxItem, unit
from bot.transports.base import Limits, Transport

__all__ = ["RetryPolicy", "Sender"]

log = logging.getLogger(__name__)

#: a batch whose rows all wait for Slack workspaces' budgets takes in more rows at most this
#: often (seconds), up to this many rows held
TOP_UP_EVERY = 0.25
TOP_UP_HOLD = 1000


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
        self.parts = PartSender(db, renderer, self.limiters, self.shared, sleep, self._pause)
        # The sender waits for a chat's budget itself up to this long (a busy group chat);
        # longer waits (a 429 hold, an outage) give the rows back to the queue until then.
        self.max_wait = max_wait
        self.lease = lease
        self.poison_after = poison_after
        self._stopping = False
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.holds = Holds(db, catalog, clock, transports, worker, lease)

    async def drain(self, limit: int = 100) -> int:
        """Send everything due now, in batches; returns how many rows were settled. Safe to
        call concurrently (each call claims its own rows); after ``stop()`` it sends nothing.
        A single ``transport.send`` must finish well within the lease (the transports' own
        timeouts are seconds; the lease a minute by default)."""
        settled = 0
        self._active += 1
        self._idle.clear()
        try:
            while not self._stopping:
                batch = await self.holds.claim(limit)
                if not batch:
                    break
                try:
                    settled += await self._send_batch(batch, limit)
                finally:
                    await self.holds.end(batch[0].claim)
                # No early exit on a short batch: while this claim held a person's rows,
                # another drain had to leave that person's newer rows (order), and they
                # are this drain's to send now.
            return settled
        finally:
            self._active -= 1
            if not self._active:
                self._idle.set()

    def request_stop(self, stopping: bool = True) -> None:
        """Ask running drains to stop after the send under way (``False``: drain again);
        the background loop's switch. ``stop()`` also waits and gives the claims back."""
        self._stopping = stopping

    async def stop(self, grace: float = 30.0) -> None:
        """Stop gracefully: the send under way finishes, nothing new starts, and every row
        claimed but not sent goes back to the queue for the next worker."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("delivery did not stop within %ss; giving its claims back", grace)
        for claim in list(self.holds.claims):
            await self.holds.give_back(claim)
        if self.shared is not None:
            await self.shared.close()  # its own connection; a later drain opens a new one

    async def recover(self) -> int:
        """Put rows whose claim's lease ran out back in the queue (any worker, every tick)."""
        async with unit(self.db) as store:
            released = await store.release_stale_claims(self.poison_after)
        if released:
            log.info("put %s stale outbox claims back in the queue", released)
        return released

    async def _send_batch(self, batch: list[OutboxItem], limit: int) -> int:
        """Send a claimed batch, always picking the next message whose chat has budget now,
        so one busy chat never stalls a broadcast. Returns how many rows were settled.

        While every row waits for a Slack workspace's budget, the batch takes in the next
        due rows (a claim of their own, up to ``TOP_UP_HOLD`` rows held): a broadcast is
        queued workspace after workspace, and the others' budgets would idle meanwhile."""
        first = batch[0].claim
        async with unit(self.db) as store:
            targets = await resolve_targets(store, self.catalog, self.transports, batch)
        queue = list(batch)
        topped = float("-inf")
        # rows whose send is already marked begun (see _deliver), and when (real time)
        begun: dict[int, float] = {}
        settled = 0
        while queue and not self._stopping:
            await self.holds.renew(first)
            picked, soonest = self._pick(queue, targets)
            if picked is not None:
                item = queue.pop(picked)
                unreachable = await self._deliver(item, targets, begun, queue)
                settled += 1
                if unreachable is not None:
                    async with unit(self.db) as store:
                        mine = [i for i in queue if i.person_id == unreachable]
                        targets |= await resolve_targets(store, self.catalog, self.transports, mine)
            elif soonest <= self.max_wait:
                if time.monotonic() - topped >= TOP_UP_EVERY and waits_on_workspaces(
                    queue, targets, TOP_UP_HOLD
                ):
                    topped = time.monotonic()
                    if await self.holds.top_up(first, queue, targets, limit):
                        continue
                await self._pause(soonest, first)
            else:
                await self._defer(queue, targets)
                break
        return settled

    def _stale(self, checked: float) -> bool:
        """Whether a claim checked at ``checked`` (real time) must be checked again."""
        return time.monotonic() - checked > self.lease.total_seconds() / 3

    def _pick(
        self, queue: list[OutboxItem], targets: dict[int, Target | None]
    ) -> tuple[int | None, float]:
        return next_row(queue, targets, self.limiters)

    def _limiter(self, target: Target) -> RateLimiter:
        return self.limiters[target[0].platform]

    async def _pause(self, seconds: float, claim: str) -> None:
        """Wait for send budget, renewing the claim's lease as the wait goes on."""
        step = max(self.lease.total_seconds() / 3, 0.001)
        while seconds > 0 and not self._stopping:
            await self.sleep(min(seconds, step))
            seconds -= step
            await self.holds.renew(claim)

    async def _defer(self, queue: list[OutboxItem], targets: dict[int, Target | None]) -> None:
        """Give rows back to the queue until their chat has budget; not a failed attempt."""
        now = self.clock.now()
        async with unit(self.db) as store:
            for item in queue:
                target = targets[item.id]
                wait = self._limiter(target).wait(target[0]) if target else 0.0
                await store.defer(item.id, now + timedelta(seconds=wait), item.claim)

    async def _deliver(
        self,
        item: OutboxItem,
        targets: dict[int, Target | None],
        begun: dict[int, float],
        queue: list[OutboxItem],
    ) -> int | None:
        """Send one row and settle it; returns the person id if they became unreachable.

        The claim is re-checked and the attempt marked begun in the transaction that settled
        the previous row (one commit per message, not two), or here for the first."""
        target = targets[item.id]
        if target is None:
            async with unit(self.db) as store:
                await store.finish(
                    item.id,
                    OutboxStatus.SKIPPED,
                    self.clock.now(),
                    "nobody reachable",
                    claim=item.claim,
                )
            return None
        self.holds.in_flight.add(item.id)
        # A claim checked before a stall (SIGSTOP, a long pause) is checked again after it.
        checked = begun.pop(item.id, float("-inf"))
        if self._stale(checked):
            checked = time.monotonic()
            if not await settle.begin(self.db, item, self.lease):
                self.holds.in_flight.discard(item.id)
                return None

        async def still_ours() -> bool:
            """Checked again if the budget waits (or a stall) took long since."""
            return not self._stale(checked) or await settle.begin(self.db, item, self.lease)

        address = target[0]
        transport = self.transports[address.platform]
        try:
            # Compose hook (features.compose): a reminder is composed from the person's
            # state now; None means compose settled the row itself (skipped, held, merged).
            if needs_state(item):
                async with unit(self.db) as store:
                    outgoing = await compose(store, self.catalog, item, self.clock.now())
            else:  # a reply, a notice: no transaction to open
                outgoing = as_queued(item)
            if outgoing is None:
                self.holds.in_flight.discard(item.id)
                return None
            address, rendered = await self.parts.render(outgoing, target, transport)
            ids = await self.parts.send(transport, address, rendered, item, still_ours)
        except NotOurs:
            self.holds.in_flight.discard(item.id)
            return None
        except PartlySent as partly:
            self.holds.in_flight.discard(item.id)
            sent_to = (address, [*item.message_ids, *partly.ids])
            return await self.failures.transport(
                item, partly.error, target, partly.sent, sent_to if sent_to[1] else None
            )
        except Exception as exc:  # a template that does not render, a transport bug
            self.holds.in_flight.discard(item.id)
            await self.failures.broken(item, exc)
            return None
        self.failures.outages.succeeded(address.platform, address.workspace)
        self.holds.in_flight.discard(item.id)
        following = self._pick(queue, targets)[0]
        ahead = queue[following] if following is not None else None
        # (a row marked begun before, then overtaken by another chat's, stays marked)
        if ahead is not None and (ahead.id in begun or targets[ahead.id] is None):
            ahead = None
        sent_to = (address, [*item.message_ids, *ids])
        # The claim is checked when the statement runs, not when its commit returns: a
        # stall in between (SIGSTOP) must count, or the lease could run out unnoticed.
        checking = time.monotonic()
        ours = await settle.sent(self.db, item, self.clock.now(), sent_to, ahead, self.lease)
        if ahead is not None:
            if ours:
                begun[ahead.id] = checking
            else:  # merged into another message, or released to another worker
                queue.remove(ahead)
        return None
