"""Shared pieces of the delivery tests: fake time, a timing transport, outbox inspection."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, func, select

from bot.delivery.sender import RetryPolicy, Sender
from bot.domain.clock import FakeClock
from bot.domain.messages import Address, Outgoing, Rendered
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from bot.transports.base import Limits
from bot.transports.memory import MemoryTransport
from tests.helpers import Harness


@dataclass
class FakeTime:
    """A monotonic clock and a sleep that moves it, and the wall clock, without waiting."""

    clock: FakeClock
    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.clock.advance(timedelta(seconds=seconds))


@dataclass
class TimedTransport(MemoryTransport):
    """A memory transport that records the fake time of every attempt, failed or not."""

    time: FakeTime | None = None
    attempt_times: list[tuple[float, str]] = field(default_factory=list)

    async def send(self, address: Address, message: Rendered) -> str:
        assert self.time is not None
        self.attempt_times.append((self.time.now, address.chat_id))
        return await super().send(address, message)


def use_sender(
    h: Harness,
    limits: Limits | None = None,
    retry: RetryPolicy | None = None,
    max_wait: float = 30.0,
) -> tuple[FakeTime, TimedTransport]:
    """Give the harness's app a sender on a timed memory transport and fake time."""
    fake = FakeTime(h.clock)
    transport = TimedTransport(platform="memory", limits=limits, time=fake)
    h.transport = transport
    app = h.app
    app.transports["memory"] = transport
    app.sender = Sender(
        app.db,
        app.catalog,
        app.renderer,
        h.clock,
        app.transports,
        retry=retry,
        monotonic=fake.monotonic,
        sleep=fake.sleep,
        max_wait=max_wait,
    )
    return fake, transport


def broadcast(count: int, chats: int | None = None, prefix: str = "b") -> list[Outgoing]:
    """``count`` messages to bare addresses (``chats`` distinct chats, default one each),
    each text carrying its own number so duplicates can be counted."""
    return [
        Outgoing(
            None,
            "done_ok",
            {"title": f"{prefix}{i}"},
            key=f"{prefix}:{i}",
            kind="broadcast",
            address=Address("memory", f"chat{i % (chats or count)}"),
            locale="nb",
        )
        for i in range(count)
    ]


def sent_keys(transport: MemoryTransport) -> list[str]:
    """The message numbers in the texts sent, in order ("b17" from «b17»)."""
    found = []
    for text in transport.texts():
        match = re.search(r"«([^»]+)»", text)
        if match:
            found.append(match.group(1))
    return found


async def drain_until_settled(h: Harness, fake: FakeTime, rounds: int = 200) -> int:
    """Drain, then jump the clocks to the next pending row's time, until nothing is pending."""
    for drains in range(1, rounds + 1):
        await h.app.sender.drain()
        async with unit(h.app.db) as store:
            soonest = (
                await store.session.exec(
                    select(func.min(col(OutboxRow.not_before))).where(
                        col(OutboxRow.status).in_(["pending", "sending"])
                    )
                )
            ).one()
        if soonest is None:
            return drains
        ahead = (soonest - h.clock.now()).total_seconds()
        if ahead > 0:
            fake.advance(ahead)
    raise AssertionError("the outbox never settled")


async def rows(h: Harness) -> list[OutboxRow]:
    async with unit(h.app.db) as store:
        return list((await store.session.exec(select(OutboxRow).order_by(col(OutboxRow.id)))).all())


class Crash(BaseException):
    """Stands for the process dying mid-send: no handler in the sender catches it."""


async def expire_leases(h: Harness) -> None:
    """As if every claim's lease ran out (its worker died or paused long ago)."""
    async with unit(h.app.db) as store:
        past = (await store.database_now()) - timedelta(hours=1)
        await store.session.exec(update(OutboxRow).values(lease_until=past))


async def restart_after_crash(h: Harness) -> None:
    """What the next tick does after a worker died: its leases have run out, release."""
    await expire_leases(h)
    await h.app.sender.recover()


class GatedTransport(MemoryTransport):
    """Every send waits at the gate until the test opens it."""

    def __init__(self) -> None:
        super().__init__(platform="memory")
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()

    async def send(self, address: Address, message: Rendered) -> str:
        self.entered.set()
        await self.gate.wait()
        return await super().send(address, message)
