"""Settling a row whose send failed: retried on the time horizon, moved to another identity,
marked failed when the person is unreachable everywhere, or dead with the reason."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.delivery.ratelimit import RateLimiter
from bot.delivery.retry import Outages, RetryPolicy
from bot.delivery.targets import Target, reachable_elsewhere
from bot.domain.clock import Clock
from bot.domain.messages import Address
from bot.log import mask, report_error
from bot.storage.db import Database
from bot.storage.outbox import OutboxStatus
from bot.storage.repo import OutboxItem, unit
from bot.transports.base import TransportError

log = logging.getLogger(__name__)


class Failures:
    def __init__(
        self, db: Database, clock: Clock, retry: RetryPolicy, limiters: dict[str, RateLimiter]
    ) -> None:
        self.db = db
        self.clock = clock
        self.retry = retry
        self.limiters = limiters
        self.outages = Outages(retry)

    async def transport(
        self,
        item: OutboxItem,
        exc: TransportError,
        target: Target,
        parts_sent: int,
        sent_to: tuple[Address, list[str]] | None = None,
    ) -> int | None:
        """Settle a failed send; returns the person id if they became unreachable."""
        now = self.clock.now()
        address, _, identity_id = target
        limiter = self.limiters[address.platform]
        since = item.failing_since or now
        status, retry_at = OutboxStatus.DEAD, None
        hold = 0.0
        if exc.retryable and not exc.unreachable:
            # 5xx, timeouts: past a few in a row the platform counts as down and is held.
            # Held at once, before waiting for the database: other sends in flight must not
            # go out in the meantime (a 429 holds the whole bot).
            hold = exc.retry_after or self.outages.failed(address.platform, address.workspace)
            if hold:
                limiter.hold(address, hold)
        async with unit(self.db) as store:
            if exc.unreachable:
                if identity_id is not None:
                    await store.mark_unreachable(identity_id, str(exc), now)
                # Another identity (any platform) gets it: back to the queue for its worker.
                if await reachable_elsewhere(store, item.person_id):
                    status, retry_at = OutboxStatus.PENDING, now
                else:
                    status = OutboxStatus.FAILED
            elif exc.retryable and not self.retry.gives_up(item.attempts + 1, since, now):
                delay = max(self.retry.delay(item.attempts, exc.retry_after), hold)
                status, retry_at = OutboxStatus.PENDING, now + timedelta(seconds=delay)
            await store.finish(
                item.id,
                status,
                now,
                str(exc),
                retry_at=retry_at,
                parts_sent=parts_sent,
                claim=item.claim,
                failing_since=since,
                platform=address.platform,
                sent_to=sent_to,
            )
        log.warning(
            "send failed for outbox row %s (%s): %s -> %s",
            item.id,
            item.kind,
            type(exc).__name__,
            status,
        )
        return item.person_id if exc.unreachable else None

    async def broken(self, item: OutboxItem, exc: Exception) -> None:
        """A row that failed for a reason of its own (it does not render, a bug): retried
        with backoff in case a deploy fixes it, then dead with the reason."""
        now = self.clock.now()
        reason = mask(f"{type(exc).__name__}: {exc}")
        attempts = item.attempts + 1
        since = item.failing_since or now
        status, retry_at = OutboxStatus.DEAD, None
        if attempts < self.retry.max_errors and not self.retry.gives_up(attempts, since, now):
            status = OutboxStatus.PENDING
            retry_at = now + timedelta(seconds=self.retry.delay(item.attempts, None))
        async with unit(self.db) as store:
            await store.finish(
                item.id,
                status,
                now,
                reason,
                retry_at=retry_at,
                claim=item.claim,
                failing_since=since,
            )
        report_error("send", exc, {"row": item.id, "kind": item.kind, "status": status})
