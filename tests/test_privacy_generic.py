"""The privacy walk covers tables it has never heard of: tables shaped like the ones other
features add (quiz attempts with answers, comments under reflections, broadcasts that
outlive their author, relayed messages between two people) are exported and erased by their
foreign keys alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, Text, insert, select
from sqlmodel import SQLModel

from bot.domain.people import Role, Visibility
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow, ReflectionRow
from tests.helpers import Harness
from tests.privacy_support import naming

NAME, EMAIL = "Kari Nordvik", "kari.nordvik@tromso.example.org"


def _tables() -> list[Table]:
    meta = SQLModel.metadata
    person = "person.id"
    return [
        Table(
            "x_attempt",
            meta,
            Column("id", Integer, primary_key=True),
            Column("person_id", ForeignKey(person, ondelete="CASCADE"), nullable=False),
            Column("score", Integer),
        ),
        Table(
            "x_attempt_answer",
            meta,
            Column("id", Integer, primary_key=True),
            Column("attempt_id", ForeignKey("x_attempt.id", ondelete="CASCADE"), nullable=False),
            Column("answer", Text),
        ),
        Table(
            "x_comment",
            meta,
            Column("id", Integer, primary_key=True),
            Column("reflection_id", ForeignKey("reflection.id", ondelete="CASCADE")),
            Column("author_id", ForeignKey(person, ondelete="CASCADE"), nullable=False),
            Column("text", Text),
            Column("parent_id", ForeignKey("x_comment.id"), nullable=True),  # a reply
        ),
        Table(
            "x_broadcast",
            meta,
            Column("id", Integer, primary_key=True),
            Column("author_id", ForeignKey(person, ondelete="SET NULL"), nullable=True),
            Column("body", Text),
        ),
        Table(
            "x_relay",
            meta,
            Column("id", Integer, primary_key=True),
            Column("sender_id", ForeignKey(person, ondelete="CASCADE"), nullable=False),
            Column("recipient_id", ForeignKey(person, ondelete="CASCADE"), nullable=False),
            Column("text", Text),
        ),
    ]


@pytest.fixture
async def extra(harness: Harness) -> AsyncIterator[dict[str, Table]]:
    """The unknown tables, in the metadata and the database for this test only."""
    tables = _tables()
    async with harness.app.db.engine.begin() as connection:
        for table in tables:
            await connection.run_sync(table.create)
    yield {table.name: table for table in tables}
    for table in reversed(tables):
        SQLModel.metadata.remove(table)


async def _add(harness: Harness, table: Table, **values: Any) -> int:
    async with unit(harness.app.db) as store:
        connection = await store.session.connection()
        result = await connection.execute(insert(table).values(**values))
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])


async def _reflection(harness: Harness, person_id: int, ref: str, visibility: Visibility) -> int:
    async with unit(harness.app.db) as store:
        person = await store.person(person_id)
        assert person is not None
        await store.save_reflection(person, ref, f"Svar {ref}", harness.clock.now(), visibility)
    async with unit(harness.app.db) as store:
        connection = await store.session.connection()
        row = await connection.execute(
            select(ReflectionRow.__table__.c.id).where(  # type: ignore[attr-defined]
                ReflectionRow.__table__.c.person_id == person_id,  # type: ignore[attr-defined]
                ReflectionRow.__table__.c.activity_ref == ref,  # type: ignore[attr-defined]
            )
        )
        return int(row.scalar_one())


async def _rows(harness: Harness, table: Table) -> list[dict[str, Any]]:
    async with unit(harness.app.db) as store:
        connection = await store.session.connection()
        return [dict(r) for r in (await connection.execute(select(table))).mappings()]


async def test_unknown_tables_are_exported_and_erased(
    harness: Harness, extra: dict[str, Table]
) -> None:
    kari = await harness.person_id("kari.nordvik")
    ola = await harness.person_id("ola.bakken")
    siri = await harness.person_id("siri.haugen")
    attempt = await _add(harness, extra["x_attempt"], person_id=kari, score=7)
    await _add(harness, extra["x_attempt_answer"], attempt_id=attempt, answer="B")
    private = await _reflection(harness, kari, "a/b/private", Visibility.PRIVATE)
    anonymous = await _reflection(harness, kari, "a/b/anonymous", Visibility.ANONYMOUS)
    olas = await _reflection(harness, ola, "a/b/ola", Visibility.COHORT)
    comments = extra["x_comment"]
    await _add(harness, comments, reflection_id=private, author_id=ola, text="Ola under Kari")
    kept = await _add(harness, comments, reflection_id=anonymous, author_id=ola, text="Ola, anon")
    mine = await _add(harness, comments, reflection_id=olas, author_id=kari, text="Kari under Ola")
    reply = await _add(
        harness, comments, reflection_id=olas, author_id=ola, text="Ola svarer", parent_id=mine
    )
    await _add(harness, extra["x_broadcast"], author_id=kari, body="Velkommen alle")
    relay = extra["x_relay"]
    await _add(harness, relay, sender_id=ola, recipient_id=kari, text="Hei Kari")
    await _add(harness, relay, sender_id=kari, recipient_id=ola, text="Hei Ola")
    about = await _add(harness, relay, sender_id=ola, recipient_id=siri, text=f"Ring {NAME}")

    async with unit(harness.app.db) as store:
        data = await store.personal_data(kari)
    assert [r["score"] for r in data["x_attempt"]] == [7]
    assert [r["answer"] for r in data["x_attempt_answer"]] == ["B"]  # hangs off the attempt
    assert [r["id"] for r in data["x_comment"]] == [mine]  # not what others wrote under hers
    assert [r["body"] for r in data["x_broadcast"]] == ["Velkommen alle"]
    assert sorted(r["text"] for r in data["x_relay"]) == ["Hei Kari", "Hei Ola"]
    stored = await naming(harness, kari)
    for name, keys in stored.items():
        assert len(data[name]) >= len(keys), name

    async with unit(harness.app.db) as store:
        counts = await store.forget_person(kari)
    assert counts["x_attempt"] == 1 and counts["x_attempt_answer"] == 1
    assert counts["x_relay"] == 2 and counts["x_broadcast (author_id cleared)"] == 1
    assert counts["reflection (kept without author)"] == 1
    assert await naming(harness, kari, NAME, EMAIL) == {}
    assert [(r["id"], r["author_id"], r["parent_id"]) for r in await _rows(harness, comments)] == [
        (kept, ola, None),
        (reply, ola, None),  # Ola's reply to her comment stays, detached
    ]
    assert [r["author_id"] for r in await _rows(harness, extra["x_broadcast"])] == [None]
    assert [(r["id"], r["text"]) for r in await _rows(harness, relay)] == [
        (about, "Ring [removed]")
    ]


async def test_a_name_with_nordic_letters_is_found_however_it_was_written(
    harness: Harness,
) -> None:
    """As typed, in capitals, and as JSON writes it (``\\u00c5``): all of it goes."""
    async with unit(harness.app.db) as store:
        now = harness.clock.now()
        ase = await store.add_person(
            name="Åse Ødegård",
            cohort_id="demo",
            organisation="tromso",
            roles=frozenset({Role.PARTICIPANT}),
            now=now,
            email="ase.odegard@tromso.example.org",
        )
        ola = await harness.person_id("ola.bakken")
        person = await store.person(ola)
        assert person is not None
        await store.save_reflection(person, "a/b/c", "Jeg snakket med ÅSE ØDEGÅRD i dag.", now)
        escaped = json.dumps({"buddy": "Åse Ødegård"})  # ensure_ascii: \\u00c5se ...
        connection = await store.session.connection()
        await connection.execute(
            insert(OutboxRow.__table__).values(  # type: ignore[attr-defined]
                key="old-intro",
                person_id=ola,
                kind="reply",
                template="help",
                params=escaped,
                buttons="[]",
                status="sent",
                not_before=now,
                created_at=now,
            )
        )
    assert set(await naming(harness, ase, "Åse Ødegård", "ase.odegard@tromso.example.org")) >= {
        "person",
        "reflection",
        "outbox",
    }
    async with unit(harness.app.db) as store:
        await store.forget_person(ase)
    assert await naming(harness, ase, "Åse Ødegård", "ase.odegard@tromso.example.org") == {}
    async with unit(harness.app.db) as store:
        texts = [r.text for r in await store.reflections(ola)]
    assert texts == ["Jeg snakket med [removed] i dag."]
