"""SQLite's units run their statements on the event loop's thread (``storage.sqlite_inloop``),
and wait for another connection's write lock without holding the loop up."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from bot.storage import sqlite_inloop
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.tables import InboundSeenRow

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'kompis.db'}")
    await database.upgrade()
    yield database
    await database.dispose()


def file_of(db: Database) -> str:
    return str(db.engine.url.database)


def hold_write_lock(path: str, seconds: float, held: threading.Event) -> None:
    """Another process's writer: its own connection takes the write lock for ``seconds``."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO inbound_seen (platform, event_id, seen_at) VALUES ('x', 'other', ?)",
            (NOW.isoformat(),),
        )
        held.set()
        threading.Event().wait(seconds)
        connection.execute("COMMIT")
    finally:
        connection.close()


async def count_seen(db: Database) -> int:
    async with unit(db) as store:
        result = await store.session.exec(select(func.count()).select_from(InboundSeenRow))
        return int(result.one())


async def test_statements_run_on_the_event_loops_thread(db: Database) -> None:
    """No driver thread: every statement of a unit runs where the loop runs (aiosqlite ran
    each on a thread of its own and woke the loop for each)."""
    threads: set[int] = set()

    def seen(*_args: Any) -> None:
        threads.add(threading.get_ident())

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with unit(db) as store:
            assert await store.first_time_seen("telegram", "1", NOW)
            await store.person(1, at=NOW)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert threads == {threading.get_ident()}


async def test_waiting_for_another_writer_leaves_the_loop_free(db: Database) -> None:
    """While another connection holds the write lock, a unit waits for it (and then
    commits); the loop meanwhile runs everything else, here a task ticking every 10 ms."""
    held = threading.Event()
    other = threading.Thread(target=hold_write_lock, args=(file_of(db), 0.6, held))
    other.start()
    try:
        assert await asyncio.to_thread(held.wait, 5)
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        started = asyncio.get_running_loop().time()
        async with unit(db) as store:
            assert await store.first_time_seen("telegram", "mine", NOW)
        waited = asyncio.get_running_loop().time() - started
        stop.set()
        await ticking
    finally:
        await asyncio.to_thread(other.join)
    assert waited >= 0.4  # it did wait for the other writer
    assert ticks >= 20  # and the loop went on: a blocked loop would have ticked once or twice
    assert await count_seen(db) == 2


async def test_a_lock_held_too_long_fails_the_unit_and_writes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_inloop, "LOCK_WAIT", 0.2)
    held = threading.Event()
    other = threading.Thread(target=hold_write_lock, args=(file_of(db), 1.0, held))
    other.start()
    try:
        assert await asyncio.to_thread(held.wait, 5)
        with pytest.raises(Exception, match="database is locked"):
            async with unit(db) as store:
                await store.first_time_seen("telegram", "mine", NOW)
    finally:
        await asyncio.to_thread(other.join)
    async with unit(db) as store:
        assert await store.first_time_seen("telegram", "mine", NOW)  # it was not written
    assert await count_seen(db) == 2


async def test_an_in_memory_database_keeps_its_one_connection() -> None:
    db = Database("sqlite://")
    try:
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
            await connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        async with db.engine.connect() as connection:
            result = await connection.exec_driver_sql("SELECT n FROM t")
            assert result.scalar_one() == 1
    finally:
        await db.dispose()
