"""Running `kompis run`'s own composition (``bot.serve.Service``) against the fake Bot API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.domain.clock import FakeClock
from bot.invites import issue
from bot.serve import Service
from bot.settings import Settings
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.helpers import ROOT, shipped_catalog

DEMO_CSV = ROOT / "schedules" / "demo.participants.csv"
LINK = re.compile(r"https://t\.me/KompisTestBot\?start=([A-Za-z0-9_-]+)")


def demo_start() -> datetime:
    cohort = shipped_catalog().cohort("demo")
    first_open = min(d.opens for m in cohort.modules for d in m.stages.values())
    return cohort.local(first_open - timedelta(days=1), time(12, 0))


def settings_for(fake: FakeTelegram, database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "telegram_token": TOKEN,
        "telegram_api_url": fake.api_url,
        "telegram_poll_seconds": 0.2,
        "http_port": 0,
        # the fake's flood limit is scaled up to keep the suite fast; the budget matches it
        "telegram_per_second": fake.per_second,
        "telegram_chat_per_second": 30.0,
    }
    values.update(extra)
    return Settings(**values)


@asynccontextmanager
async def running(
    fake: FakeTelegram, database_url: str, clock: FakeClock | None = None, **extra: Any
) -> AsyncIterator[Service]:
    service = Service(settings_for(fake, database_url, **extra), clock, shipped_catalog())
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


async def import_demo(service: Service) -> None:
    await service.app.import_participants("demo", DEMO_CSV)


async def settle(service: Service, within: float = 10.0) -> None:
    """Wait until background delivery sent everything due now (nothing pending or claimed)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with unit(service.db) as store:
            rows = await store.session.exec(
                select(func.count()).where(
                    col(OutboxRow.status).in_(["pending", "sending"]),
                    col(OutboxRow.not_before) <= service.clock.now(),
                )
            )
            if rows.one() == 0:
                return
        assert asyncio.get_running_loop().time() < deadline, "delivery did not settle"
        service.app.delivery.wake()
        await asyncio.sleep(0.02)


async def advance(service: Service, clock: FakeClock, delta: timedelta) -> None:
    """Simulated time for the running service: stop at every occasion on the way, plan it,
    let background delivery send it (what `Kompis.advance` does for the inline drain)."""
    target = clock.now() + delta
    app = service.app
    while True:
        async with unit(service.db) as store:
            held = await store.next_pending_after(clock.now())
        moments = [m for m in (app.reminders.next_moment(clock.now()), held) if m]
        moment = min(moments, default=None)
        if moment is None or moment > target:
            break
        clock.set(moment)
        await app.plan()
        await settle(service)
    clock.set(target)
    await app.plan()
    await settle(service)


async def invite_links(service: Service, clock: FakeClock, cohort: str = "demo") -> dict[str, str]:
    """Issue invitations as `kompis invites` does; e-mail -> the deep link's token."""
    lines = await issue(service.settings, shipped_catalog(), cohort, "KompisTestBot", clock)
    return {line.email: line.telegram_link.split("start=")[1] for line in lines}
