"""The schema: models match the migrations on both databases, several processes migrating
one PostgreSQL database at once do not race, SQLite commits survive a power cut, and old
rows are purged on the retention."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, col, select

import bot.storage.tables  # noqa: F401  (registers the tables)
from bot.delivery.retention import Retention
from bot.serve import Service
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.tables import InboundSeenRow, OutboxRow
from tests.delivery_helpers import broadcast
from tests.helpers import Harness


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    return not (kind == "table" and (name or "").startswith("slack_"))


def _ours_object(obj: object, name: str | None, kind: str, *_rest: object) -> bool:
    table = getattr(obj, "table", obj) if kind == "index" else obj
    return not str(getattr(table, "name", name) or "").startswith("slack_")


async def test_the_models_match_the_migrations(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    await db.dispose()
    engine = db.sync_engine()
    try:
        with engine.connect() as connection:
            # slack-sdk's installation and OAuth state tables have a metadata of their own;
            # tests/test_slack_storage.py checks the migration against those definitions.
            context = MigrationContext.configure(
                connection, opts={"include_name": _ours, "include_object": _ours_object}
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_processes_starting_together_migrate_one_at_a_time(postgres_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def migrate() -> None:
        start.wait()
        try:
            Database(postgres_url).upgrade_sync()
        except BaseException as exc:  # what a racing CREATE TABLE raises
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


async def test_sqlite_commits_are_durable(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/k.db")
    async with db.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar()
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    await db.dispose()
    assert (mode, journal) == (2, "wal")  # FULL


async def test_old_rows_are_purged_on_the_retention(database_url: str) -> None:
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        now = h.clock.now()
        old = now - timedelta(days=40)
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(3, prefix="old"), old)
            await store.enqueue(broadcast(2, prefix="new"), now)
            await store.first_time_seen("memory", "e-old", old)
            await store.first_time_seen("memory", "e-new", now)
        await h.app.sender.drain()
        async with unit(h.app.db) as store:  # the old ones were sent 40 days ago
            for row in (await store.session.exec(select(OutboxRow))).all():
                if row.key.startswith("old"):
                    row.sent_at = old
                    store.session.add(row)
            dead = (
                await store.session.exec(select(OutboxRow).where(OutboxRow.key == "old:2"))
            ).one()
            dead.status = "dead"
            store.session.add(dead)
        retention = Retention(h.app.db, h.clock, days=30)
        assert await retention.purge() == (2, 1)
        assert await retention.purge() == (0, 0)  # at most once an hour
        async with unit(h.app.db) as store:
            keys = sorted((await store.session.exec(select(OutboxRow.key))).all())
            seen = (await store.session.exec(select(col(InboundSeenRow.event_id)))).all()
        assert keys == ["new:0", "new:1", "old:2"]  # dead rows wait for an operator
        assert list(seen) == ["e-new"]
    finally:
        await h.stop()


def test_the_tick_purges(tmp_path: object) -> None:
    async def run() -> None:
        h = Harness(f"sqlite:///{tmp_path}/k.db")
        await h.start(participants=False)
        try:
            async with unit(h.app.db) as store:
                await store.first_time_seen("memory", "e", h.clock.now() - timedelta(days=99))
            await h.app.tick()
            async with unit(h.app.db) as store:
                assert (await store.session.exec(select(InboundSeenRow))).all() == []
        finally:
            await h.stop()

    asyncio.run(run())


async def test_kompis_run_gives_its_sessions_the_lease_as_idle_timeout(postgres_url: str) -> None:
    """`kompis run`'s composition (not only a bare ``Kompis``) must let PostgreSQL end a
    session left idle in a transaction past a lease: a stopped worker's locks go away."""
    service = Service(Settings(database_url=postgres_url, outbox_lease_seconds=7))
    try:
        async with service.db.sessions() as session:
            found = (await session.exec(text("SHOW idle_in_transaction_session_timeout"))).one()
        assert found[0] == "7s"
    finally:
        await service.db.dispose()
