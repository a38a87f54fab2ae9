"""Claims are atomic and leased: concurrent drains in one process and worker processes send
each row once; a worker paused past its lease re-checks before sending; leases run on the
database's clock. Counted from what the transports received."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.delivery import settle
from bot.delivery.sender import Sender
from bot.domain.clock import FakeClock
from bot.domain.messages import Address, Rendered
from bot.storage.repo import unit
from bot.transports.memory import MemoryTransport
from tests.crash_record import Record, Workers
from tests.delivery_helpers import broadcast, expire_leases, sent_keys
from tests.helpers import Harness
from tests.test_crash import queue_broadcast, worker_args


class Yielding(MemoryTransport):
    """Lets the other drains run between sends, as a network call would."""

    async def send(self, address: Address, message: Rendered) -> str:
        await asyncio.sleep(0)
        return await super().send(address, message)


async def test_three_concurrent_drains_in_one_process_send_each_row_once(
    database_url: str,
) -> None:
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        count = 3000
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(count), h.clock.now())
        transport = Yielding(platform="memory")
        sender = Sender(h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": transport})
        started = time.monotonic()
        settled = await asyncio.gather(*(sender.drain(limit=50) for _ in range(3)))
        elapsed = time.monotonic() - started
        print(f"\n3 drains settled {settled} of {count} in {elapsed:.1f} s")
        assert sum(settled) == count and min(settled) > 0
        assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(count))
    finally:
        await h.stop()


async def test_three_worker_processes_send_each_row_once(postgres_url: str, tmp_path: Path) -> None:
    count = 3000
    await queue_broadcast(postgres_url, count)
    record = tmp_path / "record.log"
    workers = await Workers.start()
    try:
        started = time.monotonic()
        # A lease long enough for a loaded machine: nobody dies here, so it costs nothing.
        pids = [await workers.spawn(worker_args(postgres_url, record, lease=5.0)) for _ in range(3)]
        codes = [await asyncio.wait_for(workers.wait(pid), timeout=120) for pid in pids]
        elapsed = time.monotonic() - started
    finally:
        await workers.close()
    got = Record.read(record)
    per_worker = Counter(pid for pid, _, what, _ in got.lines if what == "end")
    print(f"\n3 worker processes sent {sorted(per_worker.values())} of {count} in {elapsed:.1f} s")
    assert codes == [0, 0, 0]
    assert got.begun() == Counter(f"m{i}" for i in range(count))  # each exactly once
    assert len(per_worker) == 3


async def test_three_worker_processes_keep_each_chats_order(
    postgres_url: str, tmp_path: Path
) -> None:
    """Ten messages to each of 100 chats, three worker processes (two drains each): every
    chat's messages begin in queue order, each after the one before it ended."""
    count, chats = 1000, 100
    await queue_broadcast(postgres_url, count, chats)
    record = tmp_path / "record.log"
    workers = await Workers.start()
    try:
        pids = [await workers.spawn(worker_args(postgres_url, record, lease=5.0)) for _ in range(3)]
        codes = [await asyncio.wait_for(workers.wait(pid), timeout=120) for pid in pids]
    finally:
        await workers.close()
    assert codes == [0, 0, 0]
    got = Record.read(record)
    assert got.begun() == Counter(f"m{i}" for i in range(count))
    events: dict[int, list[tuple[str, int]]] = {}
    for _, _, what, number in got.lines:  # in the order the platform saw them
        events.setdefault(int(number[1:]) % chats, []).append((what, int(number[1:])))
    for chat, seen in events.items():
        expected = [(what, n) for n in range(chat, count, chats) for what in ("begin", "end")]
        assert seen == expected, chat
    assert len({pid for pid, _, _, _ in got.lines}) > 1  # the chats were shared out


async def test_a_worker_stopped_past_its_lease_sends_nothing_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    """SIGSTOP a worker mid-broadcast for longer than its lease; another worker takes its
    rows; SIGCONT: the first re-checks each claim before sending and sends none of them."""
    count = 400
    await queue_broadcast(postgres_url, count)
    record = tmp_path / "record.log"
    workers = await Workers.start()
    try:
        first = await workers.spawn(worker_args(postgres_url, record, lease=2.0))
        deadline = time.monotonic() + 60
        while Record.read(record).ends() < 30:
            assert time.monotonic() < deadline and workers.running(first)
            await asyncio.sleep(0.005)
        workers.signal(first, signal.SIGSTOP)
        await workers.stopped(first)  # only then is what it had begun final
        in_flight = Record.read(record).in_flight(first)
        second = await workers.spawn(worker_args(postgres_url, record, lease=2.0))
        assert await asyncio.wait_for(workers.wait(second), timeout=150) == 0  # sent the rest
        workers.signal(first, signal.SIGCONT)
        assert await asyncio.wait_for(workers.wait(first), timeout=120) == 0
    finally:
        await workers.close()
    got = Record.read(record)
    duplicates = got.duplicates()
    after = [n for pid, _, what, n in got.lines if pid == first and what == "begin"]
    print(f"\nstopped with {sorted(in_flight)} in flight; duplicates: {dict(duplicates)}")
    assert set(got.ended()) == {f"m{i}" for i in range(count)}
    assert set(duplicates) <= in_flight and sum(duplicates.values()) <= len(in_flight)
    assert len(after) == len(set(after))


async def test_a_drain_paused_past_its_lease_does_not_send_what_another_took(
    database_url: str,
) -> None:
    """In one process: a drain stalls in a send, its lease runs out, another worker takes
    the batch; when the stalled drain goes on it sends nothing of it again."""
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(20), h.clock.now())
        stall, resume = asyncio.Event(), asyncio.Event()

        class Stalling(MemoryTransport):
            async def send(self, address: Address, message: Rendered) -> str:
                if not stall.is_set():
                    stall.set()
                    await resume.wait()
                return await super().send(address, message)

        slow = Stalling(platform="memory")
        fast = MemoryTransport(platform="memory")
        a = Sender(h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": slow}, "a")
        b = Sender(h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": fast}, "b")
        stalled = asyncio.create_task(a.drain())
        await stall.wait()
        await expire_leases(h)
        assert await b.recover() == 20
        assert await b.drain() == 20
        resume.set()
        await stalled
        both = sent_keys(slow) + sent_keys(fast)
        # The one in flight at the stall goes out twice; nothing else does.
        assert Counter(both) == Counter({f"b{i}": 1 for i in range(20)}) + Counter(["b0"])
    finally:
        await h.stop()


async def test_leases_run_on_the_database_clock(database_url: str) -> None:
    """A worker whose host clock is an hour ahead does not release a live worker's claims."""
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(5), h.clock.now())
        async with unit(h.app.db) as store:
            claimed = await store.claim(h.clock.now(), "a", 5)
        ahead = FakeClock(h.clock.now() + timedelta(hours=1))
        other = Sender(h.app.db, h.catalog, h.app.renderer, ahead, {"memory": h.transport}, "b")
        assert len(claimed) == 5
        assert await other.recover() == 0
        async with unit(h.app.db) as store:
            assert await store.outbox_counts() == {"sending": 5}
    finally:
        await h.stop()


def two_senders(h: Harness, lease: timedelta) -> tuple[Sender, Sender]:
    """``a`` with a short ``lease`` (it will stall) and ``b`` to take over its rows."""
    slow, fast = MemoryTransport(platform="memory"), MemoryTransport(platform="memory")
    a = Sender(h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": slow}, "a", lease=lease)
    b = Sender(h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": fast}, "b")
    return a, b


async def stall_while_taken_over(h: Harness, b: Sender, lease: timedelta, rows: int) -> None:
    """Stall half a lease; meanwhile ``b`` finds the stalled claim's ``rows`` stale, takes
    them and sends them."""
    await asyncio.sleep(lease.total_seconds() / 2)
    await expire_leases(h)
    assert await b.recover() == rows
    assert await b.drain() == rows


def sent_by_both(a: Sender, b: Sender) -> Counter[str]:
    return Counter(sent_keys(a.transports["memory"]) + sent_keys(b.transports["memory"]))


async def test_a_stall_while_settling_counts_against_the_next_rows_check(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction that settles a sent row also re-checks the claim of the next one.
    A stall after its statements ran (a SIGSTOP before the commit returns) must count as
    time since that check: another worker took the batch meanwhile, so the next row is
    checked again, and not sent twice."""
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(5), h.clock.now())
        lease = timedelta(seconds=0.6)
        a, b = two_senders(h, lease)
        real_sent = settle.sent
        stalls = 0

        async def stalling(*args: Any, **kwargs: Any) -> bool | None:
            nonlocal stalls
            ours = await real_sent(*args, **kwargs)
            if stalls == 0:  # the first settle: its claim check is done, then it stalls
                stalls += 1
                await stall_while_taken_over(h, b, lease, 4)
            return ours

        monkeypatch.setattr(settle, "sent", stalling)
        await a.drain()
        assert sent_by_both(a, b) == Counter(f"b{i}" for i in range(5))
    finally:
        await h.stop()


async def test_a_stall_between_the_check_and_the_send_is_checked_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drain checks its claim, then stalls before the send goes out (rendering, a wait for
    budget, a SIGSTOP); meanwhile another worker takes the row and sends it. Right before
    sending, the stalled drain checks again and sends nothing twice."""
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(3), h.clock.now())
        lease = timedelta(seconds=0.6)
        a, b = two_senders(h, lease)
        real_render = a.parts.render
        stalls = 0

        async def stalling(*args: Any, **kwargs: Any) -> Any:
            nonlocal stalls
            if stalls == 0:  # the first row: checked, and now it stalls
                stalls += 1
                await stall_while_taken_over(h, b, lease, 3)
            return await real_render(*args, **kwargs)

        monkeypatch.setattr(a.parts, "render", stalling)
        await a.drain()
        assert sent_by_both(a, b) == Counter(f"b{i}" for i in range(3))
    finally:
        await h.stop()
