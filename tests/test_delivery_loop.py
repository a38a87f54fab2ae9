"""Delivery off the request path: inbound events only queue; one background task sends, and
stops gracefully (the send in flight finishes, the rest of its claims go back)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app import Kompis
from bot.domain.messages import Inbound, Outgoing
from bot.settings import Settings
from bot.storage.repo import unit
from bot.storage.single import AlreadyRunning, acquire_single_process
from bot.storage.tables import OutboxRow
from bot.transports.memory import MemoryTransport
from tests.delivery_helpers import GatedTransport
from tests.helpers import Harness


async def test_an_inbound_event_only_queues_its_reply(harness: Harness) -> None:
    await harness.app.receive(Inbound("memory", "kari.nordvik", "kari.nordvik", text="status"))
    assert harness.texts("kari.nordvik") == []  # nothing sent on the request path
    async with unit(harness.app.db) as store:
        assert await store.outbox_counts() == {"pending": 1}
    harness.app.delivery.start()
    try:
        for _ in range(200):
            if harness.texts("kari.nordvik"):
                break
            await asyncio.sleep(0.01)
        assert "status" in harness.last("kari.nordvik").lower()
    finally:
        await harness.app.delivery.stop()
    # the console and the demo still answer at once (``handle`` drains inline)
    await harness.say("kari.nordvik", "hjelp")
    assert "Hei, Kari!" in harness.last("kari.nordvik")


async def test_stop_finishes_the_send_in_flight_and_releases_the_rest(database_url: str) -> None:
    harness = Harness(database_url)
    gated = GatedTransport()
    harness.transport = gated
    harness.app.transports["memory"] = gated
    harness.app.sender.transports["memory"] = gated
    await harness.start()
    try:
        people = [await harness.person_id(h) for h in ("kari.nordvik", "ola.bakken")]
        async with unit(harness.app.db) as store:
            await store.enqueue(
                [
                    Outgoing(p, "help", {"name": "x"}, key=f"b:{p}:{n}")
                    for p in people
                    for n in (1, 2)
                ],
                harness.clock.now(),
            )
        harness.app.delivery.start()
        harness.app.delivery.wake()
        await asyncio.wait_for(gated.entered.wait(), 5)
        stopping = asyncio.create_task(harness.app.delivery.stop())
        await asyncio.sleep(0.05)
        assert not stopping.done()  # waits for the message in flight
        gated.gate.set()
        await asyncio.wait_for(stopping, 5)
        assert len(gated.sent) == 1
        async with unit(harness.app.db) as store:
            rows = (await store.session.exec(select(OutboxRow).order_by(col(OutboxRow.id)))).all()
        assert [r.status for r in rows] == ["sent", "pending", "pending", "pending"]
        assert all(r.claimed_by is None for r in rows[1:])
    finally:
        await harness.stop()


async def test_kompis_composes_transports_as_an_async_context_manager(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    harness = Harness(url)
    await harness.start()  # imports the sample people with memory identities
    await harness.stop()
    memory = MemoryTransport(platform="memory")
    app = Kompis(Settings(database_url=url), harness.clock, {"memory": memory}, harness.catalog)
    async with app:
        assert app.delivery.running and app.ticker.scheduler.running
        await memory.inject(Inbound("memory", "kari.nordvik", "kari.nordvik", text="status"))
        for _ in range(300):
            if memory.sent:
                break
            await asyncio.sleep(0.01)
        assert "Din status" in memory.texts("kari.nordvik")[0]
        with pytest.raises(AlreadyRunning):  # it holds the SQLite database while it runs
            acquire_single_process(url)
    assert not app.delivery.running and not app.ticker.scheduler.running
    with pytest.raises(RuntimeError, match="not started"):
        await memory.inject(Inbound("memory", "kari.nordvik", "kari.nordvik", text="status"))
    lock = acquire_single_process(url)  # released on the way out
    assert lock is not None
    lock.release()
