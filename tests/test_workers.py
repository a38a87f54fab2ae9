"""Several processes: SKIP LOCKED claims, two workers on one outbox, the planner lock, the
SQLite single-process lock, and the ticker's jobs."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from bot.delivery.scheduler import DRAIN_JOB, PLAN_JOB, Ticker
from bot.delivery.sender import Sender
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.single import AlreadyRunning, acquire_single_process
from bot.transports.memory import MemoryTransport
from tests.delivery_helpers import broadcast, sent_keys
from tests.helpers import Harness


async def _fresh(url: str) -> Database:
    db = Database(url)
    await db.upgrade()
    return db


async def test_claims_skip_rows_another_worker_holds(postgres_url: str) -> None:
    h = Harness(postgres_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(10), h.clock.now())
        now = h.clock.now()
        # A holds its claim transaction open while B claims: B must skip A's rows, not wait.
        async with unit(h.app.db) as a:
            first = await a.claim(now, "a", 5)
            async with unit(h.app.db) as b:
                second = await asyncio.wait_for(b.claim(now, "b", 5), timeout=5)
        assert len(first) == len(second) == 5
        assert not {i.id for i in first} & {i.id for i in second}
    finally:
        await h.stop()


async def test_two_workers_drain_one_outbox_without_duplicates(postgres_url: str) -> None:
    h = Harness(postgres_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(300), h.clock.now())

        class Yielding(MemoryTransport):
            async def send(self, address, message):  # type: ignore[no-untyped-def]
                await asyncio.sleep(0)  # let the other worker run between sends
                return await super().send(address, message)

        transport = Yielding(platform="memory")
        dbs = [Database(postgres_url) for _ in range(2)]
        senders = [
            Sender(db, h.catalog, h.app.renderer, h.clock, {"memory": transport}, f"w{n}")
            for n, db in enumerate(dbs)
        ]
        counts = await asyncio.gather(*(s.drain(limit=10) for s in senders))
        for db in dbs:
            await db.dispose()
        keys = Counter(sent_keys(transport))
        print(f"\ntwo workers settled {counts[0]} and {counts[1]} of 300")
        assert sum(counts) == 300 and min(counts) > 0
        assert keys == Counter(f"b{i}" for i in range(300))  # each exactly once
    finally:
        await h.stop()


async def test_only_one_planner_at_a_time_on_postgresql(postgres_url: str) -> None:
    db = await _fresh(postgres_url)
    try:
        async with unit(db) as first:
            assert await first.try_planner_lock()
            async with unit(db) as second:
                assert not await second.try_planner_lock()
        async with unit(db) as third:  # released with the first transaction
            assert await third.try_planner_lock()
    finally:
        await db.dispose()


async def test_a_second_app_on_one_planner_skips_planning(postgres_url: str) -> None:
    h = Harness(postgres_url)
    await h.start(participants=False)
    try:
        assert await h.app.plan()
        async with unit(h.app.db) as store:
            assert await store.try_planner_lock()
            assert not await h.app.plan()  # someone else holds it: skip, do not wait
    finally:
        await h.stop()


def test_sqlite_refuses_a_second_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kompis.db'}"
    lock = acquire_single_process(url)
    assert lock is not None
    with pytest.raises(AlreadyRunning, match="SQLite supports one Kompis process"):
        acquire_single_process(url)
    lock.release()
    again = acquire_single_process(url)
    assert again is not None
    again.release()
    assert acquire_single_process("sqlite:///:memory:") is None
    assert acquire_single_process("postgresql+psycopg://x@localhost/db") is None


async def test_a_second_kompis_on_one_sqlite_file_fails_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kompis.db'}"
    first = Harness(url)
    await first.start(participants=False)
    try:
        second = Harness(url)
        with pytest.raises(AlreadyRunning, match="another Kompis process"):
            await second.start(participants=False)
        await second.stop()
    finally:
        await first.stop()


async def test_ticker_has_two_fixed_coalescing_jobs_and_recovers_first() -> None:
    calls: list[str] = []

    async def plan() -> None:
        calls.append("plan")

    async def drain() -> None:
        calls.append("drain")

    async def recover() -> int:
        calls.append("recover")
        return 0

    ticker = Ticker(plan, drain, recover, seconds=0.02)
    await ticker.start()
    try:
        jobs = {job.id: job for job in ticker.scheduler.get_jobs()}
        assert set(jobs) == {PLAN_JOB, DRAIN_JOB}
        assert all(j.coalesce and j.max_instances == 1 for j in jobs.values())
        for _ in range(100):
            if {"plan", "drain"} <= set(calls):
                break
            await asyncio.sleep(0.01)
        assert calls[0] == "recover" and {"plan", "drain"} <= set(calls)
    finally:
        ticker.stop()


def test_settings_give_the_platform_limits(tmp_path: Path) -> None:
    from bot.delivery.ratelimit import default_limits

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", telegram_per_second=10)
    telegram = default_limits(settings, "telegram")
    assert telegram is not None and telegram.per_second == 10
    assert telegram.chat_per_second == 1 and telegram.group_per_minute == 20
    slack = default_limits(settings, "slack")
    assert slack is not None and slack.chat_per_second == 1
    assert default_limits(settings, "console") is None
