"""Drain the outbox: claim due rows, render each for its recipient, send, record the outcome.

A row is claimed (``sending``) in one short transaction and settled in another, so a crash
between the two leaves it ``sending``; ``release_stale_claims`` puts such rows back, which is
the only way a message can go out twice (at most the messages in flight at the crash).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.delivery.ratelimit import Monotonic, RateLimiter
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.messages import Address, Outgoing, Rendered, split_text, with_fallback
from bot.rendering.renderer import Renderer
from bot.storage.db import Database
from bot.storage.repo import OutboxItem, Store, unit
from bot.transports.base import Limits, Transport, TransportError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
#: where a row goes: the address, the recipient's locale, and the identity behind the address
Target = tuple[Address, str, int | None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how far apart transient failures (429, 5xx, timeouts) are retried."""

    max_attempts: int = 8
    base: float = 2.0  # seconds; doubled per attempt
    cap: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Exponential backoff with full jitter, never shorter than the platform asked."""
        backoff = random.uniform(0, min(self.cap, self.base * 2**attempts))
        return max(backoff, retry_after or 0.0)


class PartlySent(Exception):
    """A split message failed at part ``sent`` (that many parts are out, ``ids`` of this
    attempt's)."""

    def __init__(self, error: TransportError, sent: int, ids: list[str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent
        self.ids = ids


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
        max_wait: float = 2.0,
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
        self.sleep = sleep
        # Longer than this and the message goes back to the queue rather than holding up
        # the drain (a busy group chat, a 429 hold).
        self.max_wait = max_wait
        #: set by ``request_stop``: the send in flight finishes, the claimed rest goes back
        self.stopping = False

    def request_stop(self, stopping: bool = True) -> None:
        """Ask a running drain to stop after the send in flight (``False``: drain again)."""
        self.stopping = stopping

    async def drain(self, limit: int = 100) -> int:
        """Send everything due now, in batches; returns how many rows were settled."""
        settled = 0
        while True:
            async with unit(self.db) as store:
                batch = await store.claim(self.clock.now(), self.worker, limit)
                targets = await self._targets(store, batch)
            settled += await self._send_batch(batch, targets)
            if len(batch) < limit or self.stopping:
                return settled

    async def _send_batch(self, batch: list[OutboxItem], targets: dict[int, Target | None]) -> int:
        """Send a claimed batch, always picking the next message whose chat has budget now,
        so one busy chat never stalls a broadcast. Returns how many rows were settled."""
        queue = list(batch)
        settled = 0
        while queue:
            if self.stopping:  # graceful stop: unsent claims go back to the queue now
                await self._defer(queue, {item.id: None for item in queue})
                return settled
            picked, soonest = None, float("inf")
            for index, item in enumerate(queue):
                target = targets[item.id]
                wait = 0.0 if target is None else self._limiter(target).wait(target[0])
                if wait <= 0:
                    picked = index
                    break
                soonest = min(soonest, wait)
            if picked is not None:
                item = queue.pop(picked)
                unreachable = await self._deliver(item, targets[item.id])
                settled += 1
                if unreachable is not None:
                    await self._retarget(queue, targets, unreachable)
            elif soonest <= self.max_wait:
                await self.sleep(soonest)
            else:
                await self._defer(queue, targets)
                return settled
        return settled

    def _limiter(self, target: Target) -> RateLimiter:
        return self.limiters[target[0].platform]

    async def _defer(self, queue: list[OutboxItem], targets: dict[int, Target | None]) -> None:
        """Give rows back to the queue until their chat has budget; not a failed attempt."""
        now = self.clock.now()
        async with unit(self.db) as store:
            for item in queue:
                target = targets[item.id]
                wait = self._limiter(target).wait(target[0]) if target else 0.0
                await store.defer(item.id, now + timedelta(seconds=wait))

    async def _retarget(
        self, queue: list[OutboxItem], targets: dict[int, Target | None], person_id: int
    ) -> None:
        """A person just turned out unreachable: their other queued messages go to another
        identity, or are skipped, instead of failing again."""
        async with unit(self.db) as store:
            mine = [item for item in queue if item.person_id == person_id]
            targets |= await self._targets(store, mine)

    async def _deliver(self, item: OutboxItem, target: Target | None) -> int | None:
        """Send one row and settle it; returns the person id if they became unreachable."""
        now = self.clock.now()
        if target is None:
            async with unit(self.db) as store:
                await store.finish(item.id, "skipped", now, "nobody reachable to send to")
            return None
        address, locale, identity_id = target
        transport = self.transports[address.platform]
        outgoing = Outgoing(
            item.person_id,
            item.template,
            {**item.params, "late": item.late} if item.late else item.params,
            item.buttons,
            **Outgoing.extras_from(item.extras),
        )
        rendered = self.renderer.render(outgoing, locale)
        address, rendered = await self._references(address, rendered, outgoing)
        rendered = with_fallback(
            rendered, getattr(transport, "polls", False), getattr(transport, "buttons", True)
        )
        try:
            ids = await self._send(transport, address, rendered, skip=item.parts_sent)
        except PartlySent as partly:
            exc = partly.error
            if exc.retry_after:
                self._limiter(target).hold(address, exc.retry_after)
            sent_to = (address, [*item.message_ids, *partly.ids])
            await self._failed(item, exc, identity_id, partly.sent, sent_to)
            return item.person_id if exc.unreachable else None
        async with unit(self.db) as store:
            sent_to = (address, [*item.message_ids, *ids])
            await store.finish(item.id, "sent", self.clock.now(), sent_to=sent_to)
        return None

    async def _references(
        self, address: Address, rendered: Rendered, outgoing: Outgoing
    ) -> tuple[Address, Rendered]:
        """Point an edit or a reply at the platform message its outbox key names. If that
        message is not out yet, or went out on another platform, this one is sent as a new
        message instead: never dropped."""
        if not (outgoing.edit_of or outgoing.reply_to):
            return address, rendered
        async with unit(self.db) as store:
            edited = await store.sent_parts(outgoing.edit_of) if outgoing.edit_of else None
            answered = await store.sent_parts(outgoing.reply_to) if outgoing.reply_to else None
        if edited and edited[1] and edited[0].platform == address.platform:
            return edited[0], replace(rendered, edit=edited[1][0])
        if answered and answered[1] and answered[0] == address:
            return address, replace(rendered, reply_to=answered[1][0])
        return address, rendered

    async def _send(
        self, transport: Transport, address: Address, rendered: Rendered, skip: int = 0
    ) -> list[str]:
        """Split to the platform's limit; buttons, a choice and a file go with the last part,
        an edit and a reply with the first. The first ``skip`` parts went out on an earlier
        attempt. Every part spends budget; the first part's budget was checked by the
        caller. Returns the platform's message id per part sent; a failure carries how many
        parts are out by then."""
        parts = split_text(rendered.text, transport.max_text)
        limiter = self.limiters[address.platform]
        ids: list[str] = []
        for index in range(skip, len(parts)):
            last = index == len(parts) - 1
            # Later parts wait for their chat here: the message is already half out.
            while (wait := limiter.wait(address)) > 0:
                await self.sleep(wait)
            limiter.take(address)
            first = index == 0
            part = Rendered(
                parts[index],
                rendered.buttons if last else (),
                rendered.choice if last else None,
                rendered.attachment if last else None,
                rendered.edit if first else None,
                rendered.reply_to if first else None,
            )
            try:
                ids.append(await transport.send(address, part))
            except TransportError as exc:
                raise PartlySent(exc, index, ids) from exc
        return ids

    async def _failed(
        self,
        item: OutboxItem,
        exc: TransportError,
        identity_id: int | None,
        parts_sent: int,
        sent_to: tuple[Address, list[str]] | None = None,
    ) -> None:
        now = self.clock.now()
        async with unit(self.db) as store:
            if exc.unreachable:
                if identity_id is not None:
                    await store.mark_unreachable(identity_id, str(exc), now)
                await store.finish(item.id, "failed", now, str(exc))
            elif exc.retryable and item.attempts + 1 < self.retry.max_attempts:
                delay = self.retry.delay(item.attempts, exc.retry_after)
                await store.finish(
                    item.id,
                    "pending",
                    now,
                    str(exc),
                    retry_at=now + timedelta(seconds=delay),
                    parts_sent=parts_sent,
                    sent_to=sent_to if sent_to and sent_to[1] else None,
                )
            else:
                await store.finish(item.id, "dead", now, str(exc))
        log.warning(
            "send failed for outbox row %s (%s): %s", item.id, item.kind, type(exc).__name__
        )

    async def _targets(self, store: Store, items: list[OutboxItem]) -> dict[int, Target | None]:
        """Where and in which language each row goes: the person's most recently used
        reachable identity on a platform this process serves (people and identities of the
        whole batch are read in a handful of queries, not per row)."""
        person_ids = [i.person_id for i in items if i.person_id is not None]
        people = await store.people(person_ids)
        identities = await store.identities_of(person_ids)
        targets: dict[int, Target | None] = {}
        for item in items:
            targets[item.id] = None
            if item.person_id is None:
                if item.address and item.address.platform in self.transports:
                    targets[item.id] = (item.address, item.locale or "en", None)
                continue
            person = people.get(item.person_id)
            if person is None:
                continue
            locale = person.locale or self.catalog.cohort(person.cohort_id).locale
            for identity in identities.get(person.id, []):
                if not identity.unreachable and identity.platform in self.transports:
                    address = Address(identity.platform, identity.chat_id, identity.workspace)
                    targets[item.id] = (address, locale, identity.id)
                    break
        return targets

    async def recover(
        self, stale_after: timedelta = timedelta(minutes=5), now: datetime | None = None
    ) -> int:
        """Return rows claimed by a worker that died to the queue."""
        async with unit(self.db) as store:
            return await store.release_stale_claims((now or self.clock.now()) - stale_after)
