"""One process per SQLite database, enforced with an exclusive lock file beside it.

SQLite has no row locks (``FOR UPDATE`` is silently dropped), so two Kompis processes on one
SQLite file would both plan and both send. The lock is an ``fcntl.flock`` on
``<database>.lock``: the kernel releases it when the process exits, even on SIGKILL, so a
crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ConfigError


class AlreadyRunning(ConfigError):
    """Another process already uses this SQLite database."""


class ProcessLock:
    """An exclusive lock held until ``release()`` or process exit."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_path(database_url: str) -> Path | None:
    """The lock file of a SQLite database file; ``None`` for in-memory or other databases."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    database = Path(str(url.database)).expanduser().resolve()
    return database.with_name(database.name + ".lock")


def acquire_single_process(database_url: str) -> ProcessLock | None:
    """Take the SQLite database for this process, or raise ``AlreadyRunning`` saying how to
    fix it. Does nothing (returns ``None``) for PostgreSQL, where several processes are fine."""
    path = lock_path(database_url)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(
            f"another Kompis process is already using the SQLite database {path.with_suffix('')}"
            f" (lock file {path}). SQLite supports one Kompis process: stop the other one, or"
            " use PostgreSQL (KOMPIS_DATABASE_URL=postgresql+psycopg://...) to run several."
        ) from None
    # Who holds it, for a person looking at the file; the lock itself is the flock.
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return ProcessLock(path, fd)
