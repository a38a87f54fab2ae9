"""Many outbox rows queued at once on SQLite: the insert compiled once, the rows handed to
the driver's ``executemany`` as plain tuples.

A year's planning for 5,000 people queues some 165,000 rows. Through SQLAlchemy's
statement execution every row's 18 values went through its parameter handling one by one
(most of the insert's time); here each value that needs converting for the database (the
two moments, the flag) is converted by the column type's own bind processor, once per
distinct value, and the driver counts the rows it inserted (``ON CONFLICT DO NOTHING``
inserts none for a key already queued).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables import OutboxRow

Plan = tuple[str, list[tuple[str, Callable[[Any], Any] | None]]]
_plans: dict[tuple[str, tuple[str, ...]], Plan] = {}


def _plan(dialect: Dialect, keys: tuple[str, ...]) -> Plan:
    """The SQL text and, in the order of its parameters, each column's bind processor."""
    cached = _plans.get((dialect.name, keys))
    if cached is None:
        table = OutboxRow.__table__  # type: ignore[attr-defined]
        compiled = (
            sqlite_insert(table).on_conflict_do_nothing().compile(dialect=dialect, column_keys=keys)
        )
        order = compiled.positiontup or []
        cached = (
            str(compiled),
            [(k, table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in order],
        )
        _plans[dialect.name, keys] = cached
    return cached


async def insert_ignoring_queued(conn: AsyncConnection, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` (all with the same columns), skipping keys already queued; returns how
    many were inserted."""
    if not rows:
        return 0
    sql, columns = _plan(conn.dialect, tuple(rows[0]))
    keys = [key for key, _ in columns]
    # a row's values in the SQL's order (itemgetter of one key gives the value, not a tuple)
    values_of = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    # the columns to convert, by position, each with the values it converted so far
    converting: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, process, {}) for i, (_, process) in enumerate(columns) if process
    ]
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values: Any = values_of(row)
        if converting:
            values = list(values)
            for i, process, seen in converting:
                if (value := values[i]) not in seen:
                    seen[value] = process(value)
                values[i] = seen[value]
            values = tuple(values)
        params.append(values)
    result = await conn.exec_driver_sql(sql, params)
    return int(result.rowcount)
