"""Scheduled broadcasts: they go at their moment (quiet hours only when asked), `list` shows
them, and a cancelled one sends nothing, also when a worker holds its rows right then."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta

import pytest

from bot.delivery.sender import Sender
from bot.domain.broadcast import BroadcastMessage, State, parse_targets
from bot.domain.messages import Address, Rendered
from bot.features.broadcasts import Draft, cancel, correct, create
from bot.features.broadcasts_report import report
from bot.storage.repo import unit
from bot.transports.base import TransportError
from bot.transports.memory import MemoryTransport
from tests.helpers import Harness

TEXT = BroadcastMessage({"nb": "Husk samlingen!", "sv": "Glöm inte träffen!"})


@pytest.fixture
async def kompis(database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(database_url)
    await harness.start()
    yield harness
    await harness.stop()


def got(h: Harness, text: str) -> list[str]:
    """Who received a message containing ``text``."""
    return sorted({s.address.chat_id for s in h.transport.sent if text in s.message.text})


async def schedule(h: Harness, at: datetime, to: str = "all", quiet: bool = False) -> int:
    draft = Draft(h.cohort, parse_targets(to, h.cohort), TEXT, at, respect_quiet_hours=quiet)
    async with unit(h.app.db) as store:
        broadcast_id, _plan = await create(store, h.catalog, draft, h.clock.now())
    return broadcast_id


async def test_a_scheduled_broadcast_goes_at_its_moment(kompis: Harness) -> None:
    h = kompis
    at = h.clock.now() + timedelta(hours=2)
    await schedule(h, at, "org:kiruna,role:coordinator")  # Anna is both: one copy
    await h.advance(timedelta(hours=1))
    assert got(h, "träffen") == []
    await h.advance(timedelta(hours=1, minutes=1))
    assert got(h, "träffen") == ["anna.lindqvist", "johan.berglund"]
    assert got(h, "samlingen") == ["ola.bakken", "siri.haugen"]
    assert [t for t in h.texts("anna.lindqvist") if "träffen" in t].__len__() == 1


async def test_a_scheduled_broadcast_cancelled_before_it_goes_sends_nothing(
    kompis: Harness,
) -> None:
    h = kompis
    broadcast_id = await schedule(h, h.clock.now() + timedelta(days=1))
    async with unit(h.app.db) as store:
        (listed,) = await store.broadcasts("demo")
        assert listed.state == State.SCHEDULED
        stopped, sent = await cancel(store, listed, h.clock.now())
    assert (stopped, sent) == (6, 0)
    await h.advance(timedelta(days=2))
    assert got(h, "samlingen") == [] and got(h, "träffen") == []
    async with unit(h.app.db) as store:
        made = await store.broadcast(broadcast_id)
    assert made is not None and made.state == State.CANCELLED


class Held(MemoryTransport):
    """A platform whose first send hangs until the test lets it go."""

    def __init__(self) -> None:
        super().__init__(platform="memory")
        self.entered = asyncio.Event()
        self.go = asyncio.Event()

    async def send(self, address: Address, message: Rendered) -> str:
        if not self.entered.is_set():
            self.entered.set()
            await self.go.wait()
        return await super().send(address, message)


async def test_cancel_stops_the_rows_a_worker_is_draining_right_then(kompis: Harness) -> None:
    h = kompis
    await schedule(h, h.clock.now() + timedelta(minutes=5))
    h.clock.advance(timedelta(minutes=6))
    held = Held()
    worker = Sender(h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": held}, "other")
    draining = asyncio.create_task(worker.drain())
    await asyncio.wait_for(held.entered.wait(), 10)  # it holds all six; one is being sent
    async with unit(h.app.db) as store:
        (listed,) = await store.broadcasts("demo")
        await cancel(store, listed, h.clock.now())
    held.go.set()
    await asyncio.wait_for(draining, 10)
    # only the copy already on its way went out; none of the rest of the batch
    assert len([s for s in held.sent if "Husk" in s.message.text or "Glöm" in s.message.text]) == 1
    await h.advance(timedelta(hours=1))
    assert got(h, "samlingen") == [] and got(h, "träffen") == []
    async with unit(h.app.db) as store:
        counts = await store.outbox_counts()
    assert counts.get("pending", 0) == 0 and counts.get("sending", 0) == 0


async def test_quiet_hours_hold_a_broadcast_only_when_asked(kompis: Harness) -> None:
    h = kompis
    tomorrow = h.clock.now().astimezone(h.cohort.tz).date() + timedelta(days=1)
    late = datetime.combine(tomorrow, time(22, 0), tzinfo=h.cohort.tz)
    await schedule(h, late, "org:kiruna")  # Swedish text: "träffen"
    await schedule(h, late, "org:alta", quiet=True)  # Siri: "samlingen"
    await h.advance(late - h.clock.now() + timedelta(minutes=1))
    assert got(h, "träffen") == ["anna.lindqvist"]
    assert got(h, "samlingen") == []
    quiet_end = h.cohort.reminders.quiet_end
    morning = datetime.combine(tomorrow + timedelta(days=1), quiet_end, tzinfo=h.cohort.tz)
    await h.advance(morning - h.clock.now() - timedelta(minutes=1))
    assert got(h, "samlingen") == []
    await h.advance(timedelta(minutes=2))
    assert got(h, "samlingen") == ["siri.haugen"]


async def test_a_correction_before_it_goes_is_simply_the_new_text(kompis: Harness) -> None:
    h = kompis
    broadcast_id = await schedule(h, h.clock.now() + timedelta(hours=1), "org:alta")
    fixed = BroadcastMessage({"nb": "Samlingen er flyttet til rom 2."})
    async with unit(h.app.db) as store:
        made = await store.broadcast(broadcast_id)
        assert made is not None
        done = await correct(store, h.catalog, made, fixed, h.clock.now())
    assert (done.edited, done.pending, done.version) == (0, 1, 2)
    await h.advance(timedelta(hours=2))
    (copy,) = [t for t in h.texts("siri.haugen") if "Kunngjering" in t]
    assert "rom 2" in copy and "Husk" not in copy
    assert "Retting" not in copy  # nobody read the first text: nothing to correct


async def test_the_delivery_report_counts_failed_and_unreachable(kompis: Harness) -> None:
    h = kompis
    h.transport.blocked.add("anna.lindqvist")  # she blocked the bot
    h.transport.fail_next(TransportError("Bad Request: chat not found", retryable=False))
    await schedule(h, h.clock.now(), "group:dag-2")  # Kiruna (Anna), Haparanda (Johan)
    await h.advance(timedelta(minutes=1))
    async with unit(h.app.db) as store:
        (made,) = await store.broadcasts("demo")
        shown = await report(store, h.cohort, made)
    assert shown.delivery == {
        ("memory", "Kiruna kommun"): {"unreachable": 1},
        ("memory", "Haparanda kommun"): {"failed": 1},
    }
    assert shown.total("sent") == 0


async def test_a_copy_too_old_to_edit_is_sent_again_marked_as_a_correction(
    kompis: Harness,
) -> None:
    h = kompis
    broadcast_id = await schedule(h, h.clock.now(), "org:alta")
    await h.advance(timedelta(minutes=1))
    assert len([t for t in h.texts("siri.haugen") if "Kunngjering" in t]) == 1
    await h.advance(timedelta(days=3))  # Telegram lets some messages be edited for 48 hours
    h.transport.fail_next(TransportError("Bad Request: message can't be edited", retryable=False))
    fixed = BroadcastMessage({"nb": "Samlingen er flyttet til rom 2."})
    async with unit(h.app.db) as store:
        made = await store.broadcast(broadcast_id)
        assert made is not None
        done = await correct(store, h.catalog, made, fixed, h.clock.now())
    assert done.edited == 1
    await h.advance(timedelta(minutes=1))
    first, again = [t for t in h.texts("siri.haugen") if "Kunngjering" in t]
    assert "Husk samlingen" in first  # the old copy stays as it was
    assert again.startswith("Retting: denne erstattar kunngjeringa") and "rom 2" in again
    assert h.transport.edits == []
