"""Running `kompis run`'s own composition (``bot.serve.Service``) against the fake Bot API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, time, timedelta
from typing import Any

from bot.domain.clock import FakeClock
from bot.serve import Service
from bot.settings import Settings
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
    service = Service(settings_for(fake, database_url, **extra), clock)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


async def import_demo(service: Service) -> None:
    await service.app.import_participants("demo", DEMO_CSV)
