"""The send budget shared through PostgreSQL: concurrent callers in one process and in
several processes together stay within one budget (never above it) and use all of it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.delivery.ratelimit import RATE_SHARE, SharedBudget
from bot.domain.messages import Address
from bot.storage.db import Database
from bot.transports.base import Limits

RATE = 100.0  # sends per second, for the whole bot
TELEGRAM = Address("telegram", "1")
ROOT = Path(__file__).resolve().parent.parent


async def sends(url: str, count: int, lanes: int = 3) -> list[float]:
    """``count`` sends by each of ``lanes`` concurrent senders in one process, through its
    view of the budget: reserve, wait, "send" (the moment is recorded on the machine-wide
    monotonic clock, comparable between processes)."""
    db = Database(url)
    budget = SharedBudget(db, {"telegram": Limits(per_second=RATE)})
    moments: list[float] = []

    async def lane() -> None:
        for _ in range(count):
            await budget.acquire(TELEGRAM, asyncio.sleep)
            moments.append(time.monotonic())

    try:
        await asyncio.gather(*(lane() for _ in range(lanes)))
    finally:
        await budget.close()
        await db.dispose()
    return moments


def within_budget(moments: list[float], rate: float) -> None:
    """Never above the budget in any window, and close to all of it over the run."""
    moments = sorted(moments)
    window = 0.25
    late = SharedBudget.tolerance(1 / rate)  # a send may take its slot this late, not early
    for n, start in enumerate(moments):
        inside = sum(1 for m in moments[n:] if m < start + window)
        assert inside <= rate * (window + late) + 1, (inside, start)
    span = moments[-1] - moments[0]
    ideal = (len(moments) - 1) / rate
    assert span >= ideal * 0.9, (span, ideal)  # not faster than the budget
    # and not stuck: loosely, since a starved test process wastes slots (it takes a new
    # one when it was too late for its own); `python -m bench` measures the rate itself
    assert span <= ideal * 4 + 1, (span, ideal)


@pytest.mark.postgres
async def test_concurrent_callers_in_one_process_share_one_budget(postgres_url: str) -> None:
    db = Database(postgres_url)
    await db.upgrade()
    await db.dispose()
    # three engines (connection pools) of one process, three senders each
    engines = await asyncio.gather(*(sends(postgres_url, 15) for _ in range(3)))
    assert all(len(moments) == 45 for moments in engines)
    within_budget([m for moments in engines for m in moments], RATE)


# Each child waits for a common start moment (the monotonic clock is the machine's, the
# same in every process), so their start-up times do not stagger the run.
WORKER = """
import asyncio, json, sys, time
from tests.test_shared_budget import sends
time.sleep(max(0.0, float(sys.argv[3]) - time.monotonic()))
print(json.dumps(asyncio.run(sends(sys.argv[1], int(sys.argv[2])))))
"""


@pytest.mark.postgres
async def test_three_processes_share_one_budget(postgres_url: str) -> None:
    db = Database(postgres_url)
    await db.upgrade()
    await db.dispose()
    start = str(time.monotonic() + 8)
    children = [
        subprocess.Popen(  # noqa: ASYNC220 (starting them does not block)
            [sys.executable, "-c", WORKER, postgres_url, "17", start],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [await asyncio.to_thread(child.communicate, timeout=60) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err.decode()[-2000:]
    moments = [m for out, _ in outputs for m in json.loads(out)]
    assert len(moments) == 153
    within_budget(moments, RATE)


@pytest.mark.postgres
async def test_each_budget_is_its_own(postgres_url: str) -> None:
    """A Slack workspace's budget does not slow another's; no limit means no wait."""
    db = Database(postgres_url)
    await db.upgrade()
    budget = SharedBudget(db, {"slack": Limits(per_second=1.0), "telegram": Limits()})
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds)

    try:
        await budget.acquire(Address("slack", "D1", workspace="T1"), sleep)
        await budget.acquire(Address("slack", "D3", workspace="T2"), sleep)
        assert slept == []  # the first send of each workspace goes at once
        await budget.acquire(Address("slack", "D2", workspace="T1"), sleep)
        assert len(slept) == 1 and 0.9 < slept[0] <= 1.0 / RATE_SHARE
        for _ in range(5):
            await budget.acquire(TELEGRAM, sleep)  # no overall limit: never a wait
        assert len(slept) == 1
    finally:
        await budget.close()
        await db.dispose()


@pytest.mark.postgres
async def test_a_dropped_connection_is_replaced(postgres_url: str) -> None:
    db = Database(postgres_url)
    await db.upgrade()
    budget = SharedBudget(db, {"telegram": Limits(per_second=1000.0)})
    try:
        await budget.acquire(TELEGRAM, asyncio.sleep)
        connection = budget.connection._connection
        assert connection is not None
        raw = await connection.get_raw_connection()
        await raw.driver_connection.close()  # as when the server restarts
        await budget.acquire(TELEGRAM, asyncio.sleep)  # a new connection, no error
    finally:
        await budget.close()
        await db.dispose()


@pytest.mark.postgres
async def test_slots_are_spaced_at_98_percent_of_the_rate(postgres_url: str) -> None:
    """A slot every 1 / (0.98 × rate) seconds, as each process's own overall bucket refills:
    at the full rate a send a few milliseconds late let a second hold one send too many."""
    db = Database(postgres_url)
    await db.upgrade()
    budget = SharedBudget(db, {"slack": Limits(per_second=0.1)})  # a slot every ~10.2 s
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # the wait asked for, not waited
        slept.append(seconds)

    try:
        for _ in range(3):
            await budget.acquire(Address("slack", "D1", workspace="T9"), sleep)
        interval = 1 / (0.1 * RATE_SHARE)
        assert len(slept) == 2
        assert 10.0 < slept[0] <= interval  # more than the full rate's 10 s
        assert 20.0 < slept[1] <= interval * 2
    finally:
        await budget.close()
        await db.dispose()
