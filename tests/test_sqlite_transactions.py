"""SQLite units of work: each is one real transaction that holds the write lock from its
start, and one process's units queue for that lock instead of racing for it inside SQLite
(where a writer overtaken too often meets "database is locked")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from bot.storage.db import Database
from bot.storage.repo import Store, unit
from bot.storage.tables import InboundSeenRow

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'kompis.db'}")
    await database.upgrade()
    yield database
    await database.dispose()


async def seen(store: Store) -> int:
    return int((await store.session.exec(select(func.count()).select_from(InboundSeenRow))).one())


async def test_a_units_reads_and_writes_are_one_transaction(db: Database) -> None:
    """Another process (its own connection) that writes while a unit is open waits for the
    unit to end: what the unit read still holds when it writes. Before, a unit's reads ran
    outside any transaction and saw the other's write in the middle."""
    other = Database(db.url)
    try:

        async def other_process_writes() -> None:
            async with unit(other) as store:
                await store.first_time_seen("telegram", "from-elsewhere", NOW)

        async with unit(db) as store:
            before = await seen(store)
            writer = asyncio.create_task(other_process_writes())
            await asyncio.sleep(0.5)
            assert not writer.done()  # it waits for this unit's transaction
            assert await seen(store) == before
            await store.first_time_seen("telegram", "mine", NOW)
        await asyncio.wait_for(writer, 5)
        async with unit(db) as store:
            assert await seen(store) == before + 2
    finally:
        await other.dispose()


async def test_a_read_only_start_does_not_fail_a_later_write(db: Database) -> None:
    """A unit that reads first and writes later, while another connection committed a write
    in between: its write must not fail at once with "database is locked" (the deferred
    transaction upgrading to a writer)."""
    other = Database(db.url)
    try:

        async def other_process_writes() -> None:
            async with unit(other) as store:
                await store.first_time_seen("telegram", "between", NOW)

        async with unit(db) as store:
            await seen(store)
            writer = asyncio.create_task(other_process_writes())
            await asyncio.sleep(0.2)
            await store.first_time_seen("telegram", "after-reading", NOW)
        await asyncio.wait_for(writer, 5)
    finally:
        await other.dispose()


async def test_one_process_units_queue_instead_of_timing_out(db: Database) -> None:
    """More writers at once than the busy timeout can wait for, each holding the lock a
    while: all of them commit, in turn. Before, they polled for SQLite's lock and the late
    ones failed with "database is locked" once the timeout ran out."""

    def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=200")
        cursor.close()

    event.listen(db.engine.sync_engine, "connect", short_busy_timeout)
    await db.engine.dispose()  # new connections, with the short timeout

    async def writer(n: int) -> None:
        async with unit(db) as store:
            await store.first_time_seen("telegram", f"event-{n}", NOW)
            await asyncio.sleep(0.1)  # a unit that takes its time (a loaded machine)

    await asyncio.gather(*(writer(n) for n in range(8)))
    async with unit(db) as store:
        assert await seen(store) == 8


async def test_a_unit_inside_a_unit_of_the_same_task_reads_what_is_committed(
    db: Database,
) -> None:
    """It does not wait for itself (the outer unit holds this process's turn and SQLite's
    write lock): it reads, outside the outer unit's uncommitted writes."""
    async with unit(db) as outer:
        await outer.first_time_seen("telegram", "outer", NOW)
        async with asyncio.timeout(2), unit(db) as inner:
            assert await seen(inner) == 0
        assert await seen(outer) == 1
