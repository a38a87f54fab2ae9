"""SQLite for the async engine without a driver thread: the stdlib driver, run in the loop.

aiosqlite runs each call (execute, fetch, commit, the pool's rollback) on its own thread and
wakes the event loop when it is done: several trips per statement, each costing more of the
loop's CPU than the statement itself (a local SQLite read takes microseconds). Kompis's
units on SQLite already run one at a time per process (``Database.turn``), so nothing in the
process could use the database during those trips anyway.

This dialect is the stdlib ``sqlite3`` dialect marked async, so SQLAlchemy's asyncio layer
accepts it: statements run inside its greenlet, synchronously, on the event loop's thread.
What blocks the loop: the statement itself and the commit's fsync (``synchronous=FULL``,
about a millisecond). A wait for another process's write lock does not: SQLite waits only
``LOCK_POLL`` itself, and the task sleeps between tries (``_Cursor._begin_waiting``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet

#: the drivername of URLs for this dialect
DRIVER = "sqlite+kompis"
#: seconds a unit waits in all for another process's write lock (as ``busy_timeout``)
LOCK_WAIT = 5.0
#: seconds SQLite itself waits for a lock on these connections (``busy_timeout``), blocking
#: the loop: for the brief busy states WAL readers meet, and a first try at the write lock
LOCK_POLL = 0.005


async def _done() -> None:
    """An awaitable that is ready at once."""


def _async_point() -> None:
    """SQLAlchemy's asyncio layer checks that a Core statement awaited something (or it
    assumes a sync driver by mistake): one await of a coroutine that is ready at once, which
    never suspends the task."""
    if in_greenlet():
        await_(_done())


def _locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class _Cursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        _async_point()
        if sql == "BEGIN IMMEDIATE" and in_greenlet():
            return self._begin_waiting(sql)
        return super().execute(sql, parameters)

    def _begin_waiting(self, sql: str) -> Any:
        """Wait for another process's write lock without holding up the event loop: the
        connection's ``busy_timeout`` is short (``LOCK_POLL``), and between tries the task
        sleeps, up to ``LOCK_WAIT`` in all (the synchronous engines' ``busy_timeout``)."""
        deadline = time.monotonic() + LOCK_WAIT
        pause = LOCK_POLL
        while True:
            try:
                return super().execute(sql)
            except sqlite3.OperationalError as exc:
                if not _locked(exc) or time.monotonic() >= deadline:
                    raise
            await_(asyncio.sleep(pause))
            pause = min(pause * 2, 0.1)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        _async_point()
        return super().executemany(sql, parameters)

    async def _async_soft_close(self) -> None:
        """What the asyncio layer awaits before handing a result to sync code: an async
        driver's cursor closes there. This one's rows are already in memory; nothing to do."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


class SQLiteDialect_inloop(SQLiteDialect_pysqlite):
    driver = "kompis"
    supports_statement_cache = True
    is_async = True

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        cparams.setdefault("factory", _Connection)
        return super().connect(*cargs, **cparams)

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool  # an in-memory database lives in its one connection


def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
    """A ``connect`` listener for engines of this dialect, after the shared pragmas."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(LOCK_POLL * 1000)}")
    cursor.close()


registry.register("sqlite.kompis", __name__, "SQLiteDialect_inloop")
