"""Engines, sessions and migrations for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage import sqlite_inloop
from bot.storage.direct import SqliteDirect

T = TypeVar("T")

MIGRATIONS = Path(__file__).parent / "migrations"
# An arbitrary constant naming the migration advisory lock (the bytes of "kompisMG").
MIGRATION_LOCK_ID = 0x6B6F6D7069734D47
#: execution option of a unit opened inside another one of the same task (see ``turn``)
NESTED = "kompis_nested"


def sync_url(url: str) -> str:
    """The URL for the synchronous engine Alembic uses."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite", sqlite_inloop.DRIVER):
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if parsed.drivername in ("postgresql", "postgresql+psycopg", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")


def async_url(url: str) -> str:
    """The URL for the asynchronous engine the bot uses."""
    parsed = make_url(sync_url(url))
    if parsed.drivername == "sqlite":
        return parsed.set(drivername=sqlite_inloop.DRIVER).render_as_string(hide_password=False)
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).drivername.startswith("sqlite")


def database_exists(url: str) -> bool:
    """False only for a SQLite file that is not there yet (a server database is assumed)."""
    if not is_sqlite(url):
        return True
    database = make_url(url).database
    return bool(database) and database != ":memory:" and Path(str(database)).exists()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # FULL: a commit is on disk before it returns, so a power cut cannot undo a message
    # marked sent (and send it again) or a claim. NORMAL would survive a crashed process but
    # not a power cut; FULL costs one fsync per commit (measured in the README).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_own_transactions(dbapi_connection: Any, _record: Any) -> None:
    """The driver's own implicit ``BEGIN`` comes only before an INSERT, UPDATE or DELETE
    (not before a SELECT, nor a ``WITH ... UPDATE``): a unit's reads ran outside its
    transaction and its writes took the lock late. Kompis begins every transaction itself
    (``_sqlite_begin``)."""
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    """``BEGIN IMMEDIATE``: the unit takes SQLite's write lock when it starts, waiting for it
    under ``busy_timeout``. A deferred transaction that read first and writes later cannot
    wait: if another connection wrote meanwhile, SQLite fails its write at once
    (SQLITE_BUSY, "database is locked")."""
    if connection.get_isolation_level() == "AUTOCOMMIT":
        return
    nested = connection.get_execution_options().get(NESTED, False)
    connection.exec_driver_sql("BEGIN" if nested else "BEGIN IMMEDIATE")


def _prepare_sqlite_path(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


class Database:
    """One async engine plus a session factory; ``upgrade()`` applies Alembic migrations."""

    def __init__(self, url: str, idle_in_transaction_timeout: float | None = None) -> None:
        """``idle_in_transaction_timeout`` (PostgreSQL, seconds): the server ends a session
        of this process that sits in an open transaction that long (the process was stopped
        or hung), so its row locks cannot hold up the other workers."""
        self.url = url
        self.sqlite = is_sqlite(url)
        # Whether ``run_direct`` is available: a SQLite database in a file (an in-memory one
        # exists per connection, so a second connection would not see it). Asked per message.
        database = make_url(url).database
        self.direct = self.sqlite and bool(database) and database != ":memory:"
        if self.sqlite:
            _prepare_sqlite_path(url)
        connect_args: dict[str, Any] = {}
        if idle_in_transaction_timeout and not self.sqlite:
            milliseconds = max(1, int(idle_in_transaction_timeout * 1000))
            connect_args["options"] = f"-c idle_in_transaction_session_timeout={milliseconds}"
        # hide_parameters: a database error's text (logged by the error funnel) names the
        # statement, never its values (a person's name, e-mail, answer)
        self.engine: AsyncEngine = create_async_engine(
            async_url(url), connect_args=connect_args, hide_parameters=True
        )
        if self.sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "connect", sqlite_inloop.short_busy_timeout)
            event.listen(self.engine.sync_engine, "connect", _sqlite_own_transactions)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._write_locks = weakref.WeakKeyDictionary()
        self._holder: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar(
            f"kompis_write_lock_{id(self)}", default=None
        )
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._direct: SqliteDirect | None = None

    async def run_direct(self, work: Callable[[Connection], T]) -> T:
        """SQLite: ``work(connection)`` as one transaction on the direct thread
        (``storage.direct``), in this process's turn like a unit. Not inside a unit of the
        same task: it would wait for that unit's write lock, which waits for it."""
        if not self.direct:
            raise RuntimeError("run_direct needs a SQLite database in a file")
        async with self.turn() as nested:
            if nested:
                raise RuntimeError("run_direct inside a unit of the same task")
            if self._direct is None:
                engine = self.sync_engine()
                event.listen(engine, "connect", _sqlite_own_transactions)
                event.listen(engine, "begin", _sqlite_begin)
                self._direct = SqliteDirect(engine)
            return await self._direct.transaction(work)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """SQLite: this process's transactions one at a time, first come first served.
        SQLite has one writer; connections of one process that wait for it inside SQLite
        poll with growing sleeps (up to 100 ms each), so under load a writer could be
        overtaken again and again until its ``busy_timeout`` ran out. Here they queue
        instead; ``busy_timeout`` only covers other processes (a CLI command). PostgreSQL:
        nothing to do (row locks).

        Yields True for a unit opened inside another one of the same task (which would
        otherwise wait for itself): it does not queue and begins deferred, so it can read
        what is committed; a write in it waits for the outer unit and fails, as it always
        would have."""
        if not self.sqlite:
            yield False
            return
        task = asyncio.current_task()
        if task is not None and self._holder.get() is task:
            yield True
            return
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            lock = self._write_locks[loop] = asyncio.Lock()
        async with lock:
            token = self._holder.set(task)
            try:
                yield False
            finally:
                self._holder.reset(token)

    def sync_engine(self) -> Engine:
        engine = create_engine(sync_url(self.url), hide_parameters=True)
        if self.sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def upgrade_sync(self, revision: str = "head") -> None:
        self._migrate(command.upgrade, revision)

    def downgrade_sync(self, revision: str) -> None:
        self._migrate(command.downgrade, revision)

    def _migrate(self, step: Any, revision: str) -> None:
        engine = self.sync_engine()
        try:
            with engine.connect() as connection:
                if self.sqlite:
                    # A batch migration rebuilds a SQLite table by copying it and dropping the
                    # old one; with foreign keys on, that drop cascade-deletes every row that
                    # points at it. The pragma only takes effect outside a transaction, so it
                    # is set first, and the keys are checked before the commit instead.
                    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                    connection.commit()
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        # Several processes starting together migrate one at a time: the
                        # others wait here, then find nothing left to do. The lock ends with
                        # the transaction (or a dropped connection).
                        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_ID)))
                    config = alembic_config()
                    config.attributes["connection"] = connection
                    step(config, revision)
                    if self.sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            engine.dispose()

    async def upgrade(self, revision: str = "head") -> None:
        await asyncio.to_thread(self.upgrade_sync, revision)

    async def dispose(self) -> None:
        if self._direct is not None:
            direct, self._direct = self._direct, None
            await asyncio.to_thread(direct.close)
        await self.engine.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
