"""The base of every query group: one session, the dialect, and a portable insert-or-ignore."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession


class StoreBase:
    """Holds the session of one unit of work; the query groups build on it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._dialect = session.bind.dialect.name if session.bind else "sqlite"

    async def _insert_ignore(
        self, table: Any, values: dict[str, Any] | list[dict[str, Any]]
    ) -> int:
        """INSERT ... ON CONFLICT DO NOTHING (one row or many) on both dialects; returns how
        many rows were inserted."""
        if not values:
            return 0
        insert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        stmt = insert(table).on_conflict_do_nothing().returning(table.id)
        # Parameters apart from the statement: SQLAlchemy compiles it once (cached) and
        # batches the rows itself ("insertmanyvalues"); a statement with the rows inlined
        # as one VALUES list was compiled anew for every call, most of a big plan's time.
        rows = values if isinstance(values, list) else [values]
        result = await self.session.exec(stmt, params=rows)
        return len(result.all())
