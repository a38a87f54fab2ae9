"""Can Kompis reach its database? One question asked before a command relies on the answer,
and the words for "no" that the command line prints (the URL without its password, the
driver's own reason)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

#: Errors meaning the database could not be reached or does not exist.
UNREACHABLE: tuple[type[BaseException], ...] = (DBAPIError, ConnectionError)
#: Errors meaning the URL itself is unusable.
BAD_URL: tuple[type[BaseException], ...] = (ArgumentError, NoSuchModuleError)


def shown_url(url: str) -> str:
    """The database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def reason(exc: BaseException) -> str:
    """The driver's own first line ("connection refused", "database ... does not exist")."""
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0].removeprefix("connection failed: ") if lines else type(inner).__name__


async def _probe(url: str) -> None:
    from bot.storage.db import Database

    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await db.dispose()


def require_database(url: str) -> None:
    """Connect once; raises one of UNREACHABLE when the database cannot be used."""
    asyncio.run(_probe(url))
