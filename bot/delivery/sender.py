"""Drain the outbox: claim due rows, render each for its recipient, send, record the outcome.

A row is claimed (``sending``) in one short transaction and settled in another, so a crash
between the two leaves it ``sending``; ``release_stale_claims`` puts such rows back, which is
the only way a message can go out twice (at most the messages in flight at the crash).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.messages import Address, Outgoing, Rendered, split_text
from bot.rendering.renderer import Renderer
from bot.storage.db import Database
from bot.storage.repo import OutboxItem, Store, unit
from bot.transports.base import Transport, TransportError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: float = 2.0  # seconds; doubled per attempt
    cap: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Exponential backoff with full jitter, never shorter than the platform asked."""
        backoff = random.uniform(0, min(self.cap, self.base * 2**attempts))
        return max(backoff, retry_after or 0.0)


class Sender:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        renderer: Renderer,
        clock: Clock,
        transports: dict[str, Transport],
        worker: str = "worker-1",
        retry: RetryPolicy | None = None,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.renderer = renderer
        self.clock = clock
        self.transports = transports
        self.worker = worker
        self.retry = retry or RetryPolicy()

    async def drain(self, limit: int = 100) -> int:
        """Send everything due now, in batches; returns how many rows were settled."""
        settled = 0
        while True:
            async with unit(self.db) as store:
                batch = await store.claim(self.clock.now(), self.worker, limit)
            for item in batch:
                await self._deliver(item)
            settled += len(batch)
            if len(batch) < limit:
                return settled

    async def _deliver(self, item: OutboxItem) -> None:
        async with unit(self.db) as store:
            target = await self._target(store, item)
        now = self.clock.now()
        if target is None:
            async with unit(self.db) as store:
                await store.finish(item.id, "skipped", now, "nobody reachable to send to")
            return
        address, locale, identity_id = target
        transport = self.transports[address.platform]
        outgoing = Outgoing(
            item.person_id,
            item.template,
            {**item.params, "late": item.late} if item.late else item.params,
            item.buttons,
        )
        rendered = self.renderer.render(outgoing, locale)
        try:
            await self._send(transport, address, rendered)
        except TransportError as exc:
            await self._failed(item, exc, identity_id)
            return
        async with unit(self.db) as store:
            await store.finish(item.id, "sent", self.clock.now())

    async def _send(self, transport: Transport, address: Address, rendered: Rendered) -> None:
        """Split to the platform's limit; buttons go with the last part."""
        parts = split_text(rendered.text, transport.max_text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await transport.send(
                address, replace(rendered, text=part, buttons=rendered.buttons if last else ())
            )

    async def _failed(self, item: OutboxItem, exc: TransportError, identity_id: int | None) -> None:
        now = self.clock.now()
        async with unit(self.db) as store:
            if exc.unreachable:
                if identity_id is not None:
                    await store.mark_unreachable(identity_id, str(exc), now)
                await store.finish(item.id, "failed", now, str(exc))
            elif exc.retryable and item.attempts + 1 < self.retry.max_attempts:
                delay = self.retry.delay(item.attempts, exc.retry_after)
                await store.finish(
                    item.id, "pending", now, str(exc), retry_at=now + timedelta(seconds=delay)
                )
            else:
                await store.finish(item.id, "dead", now, str(exc))
        log.warning(
            "send failed for outbox row %s (%s): %s", item.id, item.kind, type(exc).__name__
        )

    async def _target(
        self, store: Store, item: OutboxItem
    ) -> tuple[Address, str, int | None] | None:
        """Where and in which language: the person's most recently used reachable identity on
        a platform this process serves."""
        if item.person_id is None:
            if item.address and item.address.platform in self.transports:
                return item.address, item.locale or "en", None
            return None
        person = await store.person(item.person_id)
        if person is None:
            return None
        locale = person.locale or self.catalog.cohort(person.cohort_id).locale
        for identity in await store.identities(person.id):
            if not identity.unreachable and identity.platform in self.transports:
                address = Address(identity.platform, identity.chat_id, identity.workspace)
                return address, locale, identity.id
        return None

    async def recover(
        self, stale_after: timedelta = timedelta(minutes=5), now: datetime | None = None
    ) -> int:
        """Return rows claimed by a worker that died to the queue."""
        async with unit(self.db) as store:
            return await store.release_stale_claims((now or self.clock.now()) - stale_after)
