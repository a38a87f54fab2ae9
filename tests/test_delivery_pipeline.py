"""Several sends in flight per drain: the group commit, the slots' one row each, the
overall budget's catch-up reserve, and shared-budget reservations in blocks."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, update

from bot.delivery.ratelimit import RateLimiter, SharedBudget
from bot.delivery.sender import WINDOW
from bot.delivery.settle import Settler
from bot.domain.messages import Address, Rendered
from bot.storage.claims_batch import Sent
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from bot.transports.base import Limits
from bot.transports.memory import MemoryTransport
from tests.delivery_helpers import broadcast, sent_keys
from tests.helpers import Harness
from tests.test_ratelimit import Clock, most_in_window

TELEGRAM = Address("telegram", "1")


def test_a_late_sender_catches_up_without_a_fuller_second() -> None:
    """300/s, a sender always 0.5 ms late for its next send: it still gets (almost) the
    whole budget, and no one-second window holds more than one send above it."""
    clock = Clock()
    limiter = RateLimiter(Limits(per_second=300), monotonic=clock)
    times: list[float] = []
    for n in range(3000):
        address = Address("telegram", str(n))
        while (wait := limiter.wait(address)) > 0:
            clock.now += wait + 0.0005
        limiter.take(address)
        times.append(clock.now)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate >= 0.95 * 300, rate
    assert most_in_window(times, 1.0) <= 301


def test_at_telegrams_own_rate_the_budget_is_as_before() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(per_second=30), monotonic=clock)
    times = []
    for n in range(100):
        address = Address("telegram", str(n))
        clock.now += limiter.wait(address)
        limiter.take(address)
        times.append(clock.now)
    assert most_in_window(times, 1.0) <= 31
    assert (len(times) - 1) / (times[-1] - times[0]) == pytest.approx(30, rel=0.01)


async def test_slots_settle_together_and_each_sends_its_next_only_after(
    database_url: str,
) -> None:
    """Slots side by side share commits (fewer than one per message), and no slot begins a
    send while a row it sent earlier is still unsettled: what a crash can re-send is at
    most the one row each slot has in flight."""
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(120), h.clock.now())
        db = h.app.db
        unsettled: list[str] = []
        last: dict[object, str] = {}  # slot (task) -> outbox key it sent last
        in_flight = {"now": 0, "most": 0}

        class Checking(MemoryTransport):
            async def send(self, address: Address, message: Rendered) -> str:
                task = asyncio.current_task()
                if task in last:
                    async with unit(db) as store:
                        if await store.sent_parts(last[task]) is None:
                            unsettled.append(last[task])
                in_flight["now"] += 1
                in_flight["most"] = max(in_flight["most"], in_flight["now"])
                await asyncio.sleep(0.002)  # the platform's round trip
                in_flight["now"] -= 1
                sent = await super().send(address, message)
                last[task] = "b:" + re.search(r"«b(\d+)»", message.text).group(1)  # type: ignore[union-attr]
                return sent

        transport = Checking(platform="memory")
        sender = h.app.sender
        sender.transports["memory"] = transport
        await sender.drain()
        assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(120))
        assert unsettled == []
        assert 1 < in_flight["most"] <= sender.window
        assert sender.settler.commits < 120 * 0.8  # shared, not one per message
    finally:
        await h.stop()


async def test_a_failed_group_commit_fails_every_slot_in_it(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    settler = Settler(db, timedelta(seconds=60))

    async def broken(*_: object) -> None:
        raise RuntimeError("database gone")

    try:
        async with unit(db) as store:
            store_type = type(store)
        original = store_type.finish_sent
        store_type.finish_sent = broken  # type: ignore[method-assign,assignment]
        try:
            row = Sent(1, "c", datetime.now(UTC), TELEGRAM, ["1"])
            outcomes = await asyncio.gather(
                *(settler.submit(sent=row) for _ in range(3)), return_exceptions=True
            )
        finally:
            store_type.finish_sent = original  # type: ignore[method-assign]
        assert all(isinstance(o, RuntimeError) for o in outcomes)
        assert settler.commits == 0
    finally:
        await db.dispose()


async def test_sends_waiting_together_reserve_their_slots_in_one_round_trip(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    await db.upgrade()
    budget = SharedBudget(db, {"telegram": Limits(per_second=200)})
    moments: list[float] = []

    async def send() -> None:
        await budget.acquire(TELEGRAM, asyncio.sleep)
        moments.append(asyncio.get_running_loop().time())

    try:
        for _ in range(5):
            await asyncio.gather(*(send() for _ in range(WINDOW)))
    finally:
        await budget.close()
        await db.dispose()
    assert len(moments) == 5 * WINDOW
    assert budget.round_trips < len(moments) / 2
    moments.sort()
    assert (moments[-1] - moments[0]) >= (len(moments) - 1) / 200 * 0.9  # never faster


async def test_a_row_a_worker_stopped_while_sending_goes_alone(database_url: str) -> None:
    """A row with a crash on record is sent with nothing else in flight, so a crash it
    causes again is counted against it only, not against the sends beside it."""
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(40), h.clock.now())
            await store.session.exec(  # type: ignore[call-overload]
                update(OutboxRow).where(col(OutboxRow.key) == "b:5").values(crashes=1)
            )
        beside: list[int] = []
        in_flight = {"now": 0}

        class Watching(MemoryTransport):
            async def send(self, address: Address, message: Rendered) -> str:
                in_flight["now"] += 1
                if "«b5»" in message.text:
                    beside.append(in_flight["now"] - 1)
                await asyncio.sleep(0.003)
                in_flight["now"] -= 1
                return await super().send(address, message)

        transport = Watching(platform="memory")
        h.app.sender.transports["memory"] = transport
        await h.app.sender.drain()
        assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(40))
        assert beside == [0]
    finally:
        await h.stop()
