"""Retrying on a time horizon, holding a platform that is down, and releasing stale claims on
every tick."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.delivery.retry import Outages, RetryPolicy
from bot.delivery.scheduler import Ticker

NOW = datetime(2027, 2, 1, 9, tzinfo=UTC)


def test_rows_are_retried_for_a_day_not_for_a_count() -> None:
    policy = RetryPolicy()
    assert not policy.gives_up(60, NOW - timedelta(hours=23), NOW)
    assert policy.gives_up(2, NOW - timedelta(hours=24), NOW)
    assert RetryPolicy(max_attempts=4).gives_up(4, NOW, NOW)


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base=2.0, cap=300.0)
    late = [policy.delay(40, None) for _ in range(200)]
    assert all(150.0 <= d <= 300.0 for d in late) and len(set(late)) > 100
    assert policy.delay(40, 900.0) == 900.0  # never sooner than the platform asked


def test_a_platform_failing_in_a_row_is_held_longer_each_time() -> None:
    outages = Outages(RetryPolicy(base=2.0, cap=300.0, outage_after=3))
    holds = [outages.failed("telegram", "") for _ in range(12)]
    assert holds[:2] == [0.0, 0.0]
    assert holds[2:6] == [2.0, 4.0, 8.0, 16.0] and holds[-1] == 300.0
    assert outages.down() == [("telegram", "")]
    assert outages.failed("slack", "T1") == 0.0  # another account is not down
    outages.succeeded("telegram", "")
    assert outages.down() == [] and outages.failed("telegram", "") == 0.0


async def test_every_drain_tick_releases_stale_claims_first() -> None:
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
        for _ in range(200):
            if calls.count("drain") >= 3:
                break
            await asyncio.sleep(0.01)
    finally:
        ticker.stop()
        await ticker.wait()
    drains = [i for i, c in enumerate(calls) if c == "drain"]
    assert len(drains) >= 3
    assert all(calls[i - 1] == "recover" for i in drains)
