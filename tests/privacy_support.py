"""Scanning every table for a person, independently of the code under test: any row with
their id in a column that refers to ``person.id``, their name or e-mail in any text column
(as written, or as JSON writes it)."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import String, Text, select
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers every table)
from bot.storage.repo import unit
from tests.helpers import Harness


def forms(*needles: str) -> list[str]:
    return sorted({f for n in needles if n for f in (n, json.dumps(n)[1:-1])})


async def naming(harness: Harness, person_id: int, *needles: str) -> dict[str, list[Any]]:
    """table -> primary keys of its rows that name the person: by id, and (``needles``
    given) by any of the needles in a text column."""
    found: dict[str, list[Any]] = {}
    wanted = [f.lower() for f in forms(*needles)]
    async with unit(harness.app.db) as store:
        for table in SQLModel.metadata.sorted_tables:
            ids = [
                c
                for c in table.columns
                if any(fk.column.table.name == "person" for fk in c.foreign_keys)
                or (table.name == "person" and c.name == "id")
            ]
            texts = [c for c in table.columns if isinstance(c.type, String | Text)]
            rows = (
                (await (await store.session.connection()).execute(select(table))).mappings().all()
            )
            for row in rows:
                by_id = any(row[c.name] == person_id for c in ids)
                values = [row[c.name] for c in texts if isinstance(row[c.name], str)]
                values += [_file(v) for v in values if '"attachment"' in v]
                by_text = any(w in v.lower() for v in values for w in wanted)
                if by_id or by_text:
                    key = tuple(row[c.name] for c in table.primary_key.columns)
                    found.setdefault(table.name, []).append(key)
    return found


def _file(extras: str) -> str:
    """The text of a file sent with a message (base64 in the outbox's extras)."""
    try:
        content = json.loads(extras)["attachment"]["content"]
        return base64.b64decode(content).decode("utf-8", "replace")
    except (ValueError, KeyError, TypeError):
        return ""
