"""Two processes linking the same platform account at once (the start-up e-mail match and a
tick's, or two workers): both succeed and one identity row remains."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import select

from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.tables import IdentityRow, PersonRow

NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


async def test_linking_one_account_twice_at_once_succeeds(postgres_url: str) -> None:
    db = Database(postgres_url)
    await db.upgrade()
    try:
        async with unit(db) as store:
            person = PersonRow(name="Kari Nordvik", created_at=NOW)
            store.session.add(person)
            await store.session.flush()
            assert person.id is not None
            person_id = person.id
        first_linked = asyncio.Event()

        async def first() -> None:
            async with unit(db) as store:
                await store.link_identity(person_id, "slack", "U1", "D1", NOW, "T1")
                first_linked.set()
                await asyncio.sleep(0.3)  # the second waits on this uncommitted row

        async def second() -> None:
            await first_linked.wait()
            async with unit(db) as store:
                await store.link_identity(person_id, "slack", "U1", "D2", NOW, "T1")

        await asyncio.gather(first(), second())
        async with unit(db) as store:
            rows = (await store.session.exec(select(IdentityRow))).all()
            assert [(r.external_id, r.chat_id) for r in rows] == [("U1", "D2")]
            assert await store.person_for_identity("slack", "U1", "T1") == person_id
    finally:
        await db.dispose()


async def test_relinking_in_one_transaction_reads_the_new_person(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    try:
        async with unit(db) as store:
            ids = []
            for name in ("Kari Nordvik", "Ola Bakken"):
                person = PersonRow(name=name, created_at=NOW)
                store.session.add(person)
                await store.session.flush()
                ids.append(person.id)
            await store.link_identity(ids[0], "telegram", "42", "42", NOW)
            assert await store.person_for_identity("telegram", "42") == ids[0]
            await store.link_identity(ids[1], "telegram", "42", "42", NOW)
            assert await store.person_for_identity("telegram", "42") == ids[1]
    finally:
        await db.dispose()
