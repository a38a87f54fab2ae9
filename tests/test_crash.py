"""SIGKILL delivery processes at random points of a 1,000-message broadcast, at start-up as
well as mid-send, restarting each time the way `kompis run` starts (tests/crash_worker.py),
and count from what the transport recorded: nothing lost, and every duplicate one of the
messages in flight at a kill."""

from __future__ import annotations

import asyncio
import random
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.db import Database
from bot.storage.repo import unit
from tests.crash_record import Record, Workers
from tests.delivery_helpers import broadcast

MESSAGES = 1000
KILLS = 20
LEASE = 1.0  # seconds: a dead worker's rows wait this long for another worker
TICK = 0.1
BATCH = 20


def worker_args(url: str, record: Path, lease: float = LEASE) -> list[str]:
    return [url, str(record), str(lease), str(TICK), str(BATCH)]


@pytest.fixture
def crash_url(database_url: str) -> Iterator[str]:
    """The test's database; a SQLite file goes on tmpfs, because a SIGKILL (unlike a power
    cut) needs no fsync to survive, and 20 restarts on a busy disk would take minutes."""
    if not database_url.startswith("sqlite"):
        yield database_url
        return
    folder = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    try:
        yield f"sqlite:///{folder / 'kompis.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def queue_broadcast(url: str, count: int, chats: int | None = None) -> None:
    db = Database(url)
    await db.upgrade()
    async with unit(db) as store:
        # due long ago, whatever the workers' clocks say
        await store.enqueue(
            broadcast(count, chats, prefix="m"), (await store.database_now()).replace(year=2000)
        )
    await db.dispose()


async def test_sigkill_during_a_broadcast_loses_nothing(crash_url: str, tmp_path: Path) -> None:
    database_url = crash_url
    await queue_broadcast(database_url, MESSAGES)
    path = tmp_path / "record.log"
    args = worker_args(database_url, path)
    workers = await Workers.start()
    try:
        rng = random.Random()
        in_flight: list[set[str]] = []
        at_startup = 0
        deadline = time.monotonic() + 150
        for kill in range(KILLS):
            before = Record.read(path).ends()
            child = await workers.spawn(args)
            if kill % 4 == 0:  # at start-up: importing, migrating, releasing, first claims
                await asyncio.sleep(rng.uniform(0.0, 1.0))
                at_startup += 1
            else:
                target = before + rng.randint(1, 60)
                while Record.read(path).ends() < target and workers.running(child):
                    assert time.monotonic() < deadline, "the crash worker made no progress"
                    await asyncio.sleep(0.005)
            if workers.running(child):
                workers.signal(child, signal.SIGKILL)
            await workers.wait(child)
            in_flight.append(Record.read(path).in_flight(child))
        last = await workers.spawn(args)
        assert await asyncio.wait_for(workers.wait(last), timeout=60) == 0

    finally:
        await workers.close()
    record = Record.read(path)
    duplicates = record.duplicates()
    flying = set().union(*in_flight)
    lost = {f"m{i}" for i in range(MESSAGES)} - set(record.ended())
    print(
        f"\n{MESSAGES} messages, {KILLS} SIGKILLs ({at_startup} at start-up), in flight at "
        f"each kill: {[len(f) for f in in_flight]}, lost: {len(lost)}, duplicates: "
        f"{sum(duplicates.values())} {sorted(duplicates)}"
    )
    assert not lost
    assert set(record.ended()) == {f"m{i}" for i in range(MESSAGES)}
    # Only a message in flight at a kill may go out twice, and only once more per kill.
    assert set(duplicates) <= flying, set(duplicates) - flying
    assert sum(duplicates.values()) <= sum(len(f) for f in in_flight)
    db = Database(database_url)
    async with unit(db) as store:
        statuses = await store.outbox_counts()
    await db.dispose()
    assert statuses == {"sent": MESSAGES}
