"""The test harness: the real Kompis app on the memory transport with an injected clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from bot.app import Kompis
from bot.curriculum.loader import load_catalog_or_raise
from bot.domain.catalog import Catalog
from bot.domain.clock import FakeClock
from bot.domain.messages import Inbound
from bot.settings import Settings
from bot.storage.repo import unit
from bot.transports.memory import MemoryTransport

ROOT = Path(__file__).resolve().parent.parent
_CATALOG: Catalog | None = None


def shipped_catalog() -> Catalog:
    """The catalog from the repository's content/ and schedules/, loaded once per run."""
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = load_catalog_or_raise(ROOT / "content", ROOT / "schedules")
    return _CATALOG


class Harness:
    """Drive Kompis like people would: ``say`` as someone, ``advance`` the clock, read
    ``texts`` they received."""

    def __init__(
        self,
        database_url: str,
        cohort: str = "demo",
        start: datetime | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        shipped = catalog or shipped_catalog()
        self.cohort = shipped.cohort(cohort)
        # Only this cohort runs, so simulated time stops only at its own moments.
        self.catalog = Catalog(
            programmes={self.cohort.programme: shipped.programme_of(cohort)},
            cohorts={cohort: self.cohort},
        )
        first_open = min(d.opens for m in self.cohort.modules for d in m.stages.values())
        self.clock = FakeClock(
            start or self.cohort.local(first_open - timedelta(days=1), time(12, 0))
        )
        self.transport = MemoryTransport(platform="memory")
        settings = Settings(database_url=database_url)
        self.app = Kompis(settings, self.clock, {"memory": self.transport}, self.catalog)

    async def start(self, participants: bool = True) -> None:
        await self.app.start()
        if participants and self.cohort.participants:
            await self.app.import_participants(
                self.cohort.id, ROOT / "schedules" / self.cohort.participants, platform="memory"
            )

    async def stop(self) -> None:
        await self.app.stop()

    async def say(
        self, handle: str, text: str = "", action: str | None = None, event_id: str | None = None
    ) -> None:
        await self.app.handle(
            Inbound("memory", handle, handle, text=text, action=action, event_id=event_id)
        )

    async def advance(self, delta: timedelta) -> None:
        """Move time forward, stopping at every occasion so each fires on its own moment."""
        await self.app.advance(self.clock, self.clock.now() + delta)

    def texts(self, handle: str) -> list[str]:
        return self.transport.texts(handle)

    def last(self, handle: str) -> str:
        texts = self.texts(handle)
        assert texts, f"{handle} got no message"
        return texts[-1]

    async def person_id(self, handle: str) -> int:
        async with unit(self.app.db) as store:
            found = await store.person_for_identity("memory", handle)
        assert found is not None
        return found
