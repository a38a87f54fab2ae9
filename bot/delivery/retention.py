"""Retention: settled outbox rows and seen inbound event ids are deleted after
``KOMPIS_RETENTION_DAYS``, at most once an hour, by whichever process ticks."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.storage.db import Database
from bot.storage.repo import unit

log = logging.getLogger(__name__)


class Retention:
    def __init__(
        self, db: Database, clock: Clock, days: int, every: timedelta = timedelta(hours=1)
    ) -> None:
        self.db = db
        self.clock = clock
        self.keep = timedelta(days=days)
        self.every = every
        self._last: datetime | None = None

    async def purge(self) -> tuple[int, int]:
        """Delete what is older than the retention; returns (outbox rows, inbound ids)."""
        now = self.clock.now()
        if self._last is not None and now - self._last < self.every:
            return 0, 0
        async with unit(self.db) as store:
            deleted = await store.purge_before(now - self.keep)
        self._last = now
        if any(deleted):
            log.info("retention: deleted %s outbox rows and %s inbound ids", *deleted)
        return deleted
