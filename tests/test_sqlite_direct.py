"""SQLite's direct thread (``storage.direct``): a transaction there is whole or not at all,
takes the process's turn like a unit (so concurrent units and direct transactions lose no
write), finishes even when its caller is cancelled, refuses to run inside a unit of its own
task (it would wait for itself), and carries the sender's per-message settling."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, text

from bot.storage.db import Database
from bot.storage.repo import unit
from tests.delivery_helpers import broadcast, sent_keys
from tests.helpers import Harness


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    database = Database(f"sqlite:///{tmp_path / 'direct.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER)"))
        await connection.execute(text("INSERT INTO tally VALUES (1, 0)"))
    yield database
    await database.dispose()


def _add(connection: Connection) -> int:
    connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))
    return int(connection.execute(text("SELECT n FROM tally")).scalar_one())


async def _tally(db: Database) -> int:
    async with db.engine.connect() as connection:
        return int((await connection.execute(text("SELECT n FROM tally"))).scalar_one())


async def test_a_failing_transaction_leaves_nothing(db: Database) -> None:
    def half(connection: Connection) -> None:
        connection.execute(text("UPDATE tally SET n = 100 WHERE id = 1"))
        raise ValueError("broken half-way")

    with pytest.raises(ValueError):
        await db.run_direct(half)
    assert await _tally(db) == 0
    assert await db.run_direct(_add) == 1  # the connection is usable again


async def test_units_and_direct_transactions_side_by_side_lose_nothing(db: Database) -> None:
    async def by_unit() -> None:
        async with unit(db) as store:
            connection = await store.session.connection()
            await connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))

    async def by_direct() -> None:
        await db.run_direct(_add)

    await asyncio.gather(*(by_unit() if i % 2 else by_direct() for i in range(60)))
    assert await _tally(db) == 60


async def test_a_cancelled_caller_waits_for_the_commit(db: Database) -> None:
    def slow(connection: Connection) -> int:
        time.sleep(0.3)
        return _add(connection)

    task = asyncio.create_task(db.run_direct(slow))
    await asyncio.sleep(0.05)
    task.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started > 0.15  # it waited for the transaction
    assert await _tally(db) == 1  # committed, not cut short


async def test_inside_a_unit_of_the_same_task_it_refuses(db: Database) -> None:
    async with unit(db):
        with pytest.raises(RuntimeError, match="inside a unit"):
            await db.run_direct(_add)
    assert await _tally(db) == 0


async def test_an_in_memory_database_has_no_direct_thread() -> None:
    memory = Database("sqlite:///:memory:")
    try:
        assert not memory.direct
        with pytest.raises(RuntimeError, match="in a file"):
            await memory.run_direct(_add)
    finally:
        await memory.dispose()


async def test_the_sender_settles_on_the_direct_thread(tmp_path: Path) -> None:
    """Each sent row is settled in one direct transaction, none through aiosqlite (which
    made each message cost four trips to its thread)."""
    h = Harness(f"sqlite:///{tmp_path / 'kompis.db'}")
    await h.start(participants=False)
    settles: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("UPDATE outbox") and "'sent'" in str(parameters):
            settles.append(statement)

    engine = h.app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", executed)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(5), h.clock.now())
        assert await h.app.sender.drain() == 5
        async with unit(h.app.db) as store:
            counts = await store.outbox_counts()
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        await h.stop()
    assert sorted(sent_keys(h.transport)) == [f"b{i}" for i in range(5)]
    assert settles == []  # not one went through the async engine
    assert counts.get("sent") == 5
