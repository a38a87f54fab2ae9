"""SIGKILL a delivery process at random points of a 500-message broadcast, restart it, and
check nothing was lost and duplicates stay within the messages in flight at each kill."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from sqlmodel import col, func, select

from bot.domain.messages import Outgoing
from bot.domain.people import Person
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from tests.helpers import ROOT, Harness

MESSAGES = 500
KILLS = 4
BATCH = 20  # rows one claim takes: the most that can be "in flight" at a kill


def sent_lines(log: Path) -> list[str]:
    if not log.exists():
        return []
    # A line cut by the kill has no newline: that send never completed.
    return [line for line in log.read_text().split("\n")[:-1] if line]


async def in_flight(h: Harness) -> int:
    async with unit(h.app.db) as store:
        return int(
            (
                await store.session.exec(
                    select(func.count()).where(col(OutboxRow.status) == "sending")
                )
            ).one()
        )


async def test_sigkill_during_a_broadcast_loses_nothing(database_url: str, tmp_path: Path) -> None:
    h = Harness(database_url)
    await h.start()
    people = [p.id for p in await _people(h)]
    async with unit(h.app.db) as store:
        await store.enqueue(
            [
                Outgoing(people[i % len(people)], "done_ok", {"title": f"m{i}"}, key=f"m:{i}")
                for i in range(MESSAGES)
            ],
            h.clock.now().replace(year=2000),  # due long ago, whatever the child's clock says
        )
    await h.stop()  # the child must be the only process on a SQLite database

    log = tmp_path / "sent.log"
    command = [sys.executable, "-m", "tests.crash_worker", database_url, str(log), str(BATCH)]
    rng = random.Random()
    flights: list[int] = []
    deadline = time.monotonic() + 60
    for _ in range(KILLS):
        before = len(sent_lines(log))
        child = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
        target = before + rng.randint(1, 80)
        while len(sent_lines(log)) < target and child.returncode is None:
            assert time.monotonic() < deadline, "the crash worker made no progress"
            await asyncio.sleep(0.005)
        if child.returncode is None:
            child.send_signal(signal.SIGKILL)
        await child.wait()
        await h.app.db.engine.dispose()
        flights.append(await in_flight(h))
    last = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
    assert await asyncio.wait_for(last.wait(), timeout=60) == 0

    counts = Counter(sent_lines(log))
    duplicates = sum(n - 1 for n in counts.values())
    async with unit(h.app.db) as store:
        statuses = await store.outbox_counts()
    await h.app.db.dispose()
    print(
        f"\n{MESSAGES} messages, {KILLS} SIGKILLs, in flight at each kill: {flights}, "
        f"duplicates: {duplicates} ({sorted(k for k, n in counts.items() if n > 1)})"
    )
    assert set(counts) == {f"m{i}" for i in range(MESSAGES)}  # nothing lost
    assert duplicates <= sum(flights)
    # Sends are one at a time, so each kill can leave at most one message sent but unrecorded.
    assert duplicates <= KILLS
    assert statuses == {"sent": MESSAGES}


async def _people(h: Harness) -> list[Person]:
    async with unit(h.app.db) as store:
        return list(await store.people_in_cohort(h.cohort.id))
