"""Conversation state: while a question waits, an answer that starts with a command word is
the answer; only an exact command runs; "skip" gets out; a one-character or emoji answer is
confirmed first. One state per person, kept in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.repo import unit
from tests.helpers import Harness

ANNA = "anna.lindqvist"  # Swedish
KARI = "kari.nordvik"  # bokmål


async def answers(harness: Harness, handle: str) -> list[str]:
    async with unit(harness.app.db) as store:
        return [r.text for r in await store.reflections(await harness.person_id(handle))]


async def completed(harness: Harness, handle: str) -> set[str]:
    person = await harness.person_id(handle)
    async with unit(harness.app.db) as store:
        return (await store.completed([person]))[person]


async def test_answers_that_start_with_a_command_word_are_answers(harness: Harness) -> None:
    await harness.advance(timedelta(days=1))
    await harness.say(ANNA, "svara")
    prompt = harness.last(ANNA)
    await harness.say(ANNA, "Klar och tydlig kommunikation var det viktigaste.")
    assert "är sparat" in harness.last(ANNA)
    await harness.say(ANNA, "svara")
    await harness.say(ANNA, "Status i dag: vi har börjat med e-tjänsterna.")
    assert "är sparat" in harness.last(ANNA)
    assert await answers(harness, ANNA) == [
        "Klar och tydlig kommunikation var det viktigaste.",
        "Status i dag: vi har börjat med e-tjänsterna.",
    ]
    assert "Inte nu? Skriv ”hoppa över”." in prompt  # the prompt says how to get out


async def test_an_exact_command_still_runs_and_the_question_keeps_waiting(
    harness: Harness,
) -> None:
    await harness.advance(timedelta(days=1))
    await harness.say(KARI, "svar")
    await harness.say(KARI, "Status!")  # exactly a command, typed on a phone
    assert "ikke gjort ennå" in harness.last(KARI)
    await harness.say(KARI, "språk: nynorsk")  # a command with its argument and nothing else
    assert "nynorsk" in harness.last(KARI)
    await harness.say(KARI, "Vi byrja med byggjesaker.")
    assert "Svaret ditt på" in harness.last(KARI) and "er lagra" in harness.last(KARI)
    assert await answers(harness, KARI) == ["Vi byrja med byggjesaker."]


async def test_skip_leaves_the_question_and_free_text_gets_help_again(harness: Harness) -> None:
    await harness.advance(timedelta(days=1))
    await harness.say(KARI, "svar")
    await harness.say(KARI, "hopp over")
    assert "spørsmålet kan vente" in harness.last(KARI)
    await harness.say(KARI, "bare prat")
    assert "Skriv «hjelp»" in harness.last(KARI)
    assert await answers(harness, KARI) == []
    await harness.say(ANNA, "hoppa över")
    assert "inget att hoppa över" in harness.last(ANNA)


async def test_an_emoji_answer_is_confirmed_before_the_task_is_ticked_off(
    harness: Harness,
) -> None:
    await harness.advance(timedelta(days=1))
    await harness.say(KARI, "svar")
    await harness.say(KARI, "👍")
    asked = harness.transport.sent[-1].message
    assert "Er «👍» svaret ditt på" in asked.text
    assert [b.label for b in asked.buttons] == ["Ja, lagre det", "Skriv på nytt"]
    assert await answers(harness, KARI) == [] and await completed(harness, KARI) == set()

    await harness.say(KARI, action=asked.buttons[1].action)  # write again: the question again
    assert "Tenk på en digital endring" in harness.last(KARI)
    await harness.say(KARI, "x")
    assert "Er «x» svaret ditt" in harness.last(KARI)
    await harness.say(KARI, "Vi lærte mye av brukerne.")  # a real answer instead
    assert await answers(harness, KARI) == ["Vi lærte mye av brukerne."]

    await harness.say(KARI, "svar")
    await harness.say(KARI, "✅")
    await harness.say(KARI, action="reflect_confirm")
    assert "er lagret" in harness.last(KARI)
    assert await answers(harness, KARI) == ["Vi lærte mye av brukerne.", "✅"]
    assert len(await completed(harness, KARI)) == 2


async def test_one_conversation_per_person_set_replaced_and_cleared(harness: Harness) -> None:
    person = await harness.person_id(KARI)
    other = await harness.person_id(ANNA)
    now = harness.clock.now()
    async with unit(harness.app.db) as store:
        await store.set_conversation(person, "reflection", now, {"ref": "a/b/c"})
        await store.set_conversation(other, "survey", now, {"ref": "x/y/z"})
        await store.set_conversation(person, "quiz", now + timedelta(minutes=1), {"q": 2})
    async with unit(harness.app.db) as store:
        mine = await store.conversation(person)
        assert mine is not None and (mine.kind, mine.data) == ("quiz", {"q": 2})
        assert mine.since == now + timedelta(minutes=1)
        assert not await store.clear_conversation(person, "reflection")  # not that kind
        assert await store.clear_conversation(person)
        assert await store.conversation(person) is None
        theirs = await store.conversation(other)
        assert theirs is not None and theirs.kind == "survey"


async def test_a_unit_reads_a_persons_conversation_once(harness: Harness) -> None:
    """The receiver, the dispatcher and the answering feature each ask; the database is
    asked once per unit, and what the unit set or cleared is what it reads back."""
    person = await harness.person_id(KARI)
    now = harness.clock.now()
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "conversation" in statement:
            reads.append(statement)

    engine = harness.app.db.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        async with unit(harness.app.db) as store:
            for _ in range(3):
                assert await store.conversation(person) is None
            await store.set_conversation(person, "reflection", now, {"ref": "a/b/c"})
            found = await store.conversation(person)
            assert found is not None and found.data == {"ref": "a/b/c"}
            assert not await store.clear_conversation(person, "quiz")  # another kind stays
            assert await store.conversation(person) == found
            assert await store.clear_conversation(person, "reflection")
            assert await store.conversation(person) is None
        assert len(reads) == 1
        async with unit(harness.app.db) as store:  # a new unit reads the database again
            assert await store.conversation(person) is None
        assert len(reads) == 2
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


async def test_a_prompt_pending_before_the_upgrade_still_waits(database_url: str) -> None:
    """Migration 0005 moves ``person.pending_activity`` into the conversation table."""
    db = Database(database_url)
    try:
        await db.upgrade("0003")
        created = datetime(2027, 1, 11, 8, tzinfo=UTC).replace(tzinfo=None)
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO cohort (id, programme_id, name, timezone, locale, country) "
                    "VALUES ('c', 'p', 'C', 'Europe/Oslo', 'nb', 'NO')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO person (id, name, cohort_id, pending_activity, created_at) "
                    "VALUES (1, 'A', 'c', 'm/s/a', :at), (2, 'B', 'c', NULL, :at)"
                ),
                {"at": created},
            )
        await db.upgrade()
        async with unit(db) as store:
            waiting = await store.conversation(1)
            assert waiting is not None and (waiting.kind, waiting.data) == (
                "reflection",
                {"ref": "m/s/a"},
            )
            assert await store.conversation(2) is None
    finally:
        await db.dispose()


def test_every_conversation_kind_has_one_feature_taking_its_answers() -> None:
    """A later feature that adds a kind must also say who answers it, and kinds never clash."""
    from bot.features import conversation
    from bot.features.dispatcher import ANSWERS

    assert len(set(conversation.KINDS)) == len(conversation.KINDS)
    assert set(ANSWERS) == set(conversation.KINDS)
