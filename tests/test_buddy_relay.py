"""The buddy relay on the memory transport: introductions, ``kompis <text>``, the button,
replies in a thread, a trio, and bad input (no buddy, empty, too long, a closed thread)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.domain.messages import Inbound
from bot.domain.relay import MAX_MESSAGE
from bot.features.buddy_intro import buddy_left, introduce
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow, PersonRow
from bot.storage.tables_relay import BuddyMessageRow
from tests.helpers import Harness

KARI, ANNA, SIRI, JOHAN = "kari.nordvik", "anna.lindqvist", "siri.haugen", "johan.berglund"


@pytest.fixture
async def h(database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(database_url)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def group(h: Harness, *handles: str) -> int:
    ids = [await h.person_id(handle) for handle in handles]
    async with unit(h.app.db) as store:
        (saved,) = await store.save_buddy_groups("demo", 1, [ids], h.clock.now())
        await introduce(store, h.catalog, [saved], h.clock.now())
    await h.app.sender.drain()
    return saved.id


def sent_to(h: Harness, handle: str) -> list[tuple[str, str, str | None]]:
    """(message id, text, replied-to message id) of what ``handle`` received."""
    return [
        (s.message_id, s.message.text, s.message.reply_to)
        for s in h.transport.sent
        if s.address.chat_id == handle
    ]


async def reply(h: Harness, handle: str, to: str, text: str) -> None:
    await h.app.handle(Inbound("memory", handle, handle, text=text, reply_to=to))


async def stored(h: Harness) -> list[tuple[int, str, int | None]]:
    async with unit(h.app.db) as store:
        rows = await store.session.exec(
            BuddyMessageRow.__table__.select().order_by(BuddyMessageRow.__table__.c.id)  # type: ignore[attr-defined]
        )
        return [(r.sender_id, r.text, r.thread_id) for r in rows]


async def test_introduced_in_own_language_with_starter_and_button(h: Harness) -> None:
    await group(h, KARI, ANNA)
    kari, anna = h.last(KARI), h.last(ANNA)
    assert "Møt læringsvennen din" in kari and "Anna Lindqvist" in kari
    assert "kommunekoordinator" in kari and "Kiruna" in kari
    assert "Möt din lärkompis" in anna and "Kari Nordvik" in anna and "chef" in anna
    assert "Något att prata om först" in anna
    # only name, organisation and role: never an e-mail address
    assert "@" not in kari and "@" not in anna
    (button,) = h.transport.sent[-1].message.buttons
    assert button.label == "Skriv till min lärkompis" and button.action == "buddy_write"


async def test_kompis_text_goes_to_the_buddy_and_replies_keep_the_thread(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await h.say(KARI, "kompis Hei Anna! Når passer det å snakke?")
    first_copy = sent_to(h, ANNA)[-1]
    assert "Kari Nordvik (din lärkompis) skriver:" in h.last(ANNA)
    assert "Hei Anna! Når passer det å snakke?" in h.last(ANNA)
    note = sent_to(h, KARI)[-1]
    assert h.last(KARI) == "Sendt til Anna Lindqvist."
    # Anna replies to the copy: Kari gets it as a reply to her "sent" note
    await reply(h, ANNA, first_copy[0], "Hej! Torsdag kl. 10?")
    assert "Hej! Torsdag kl. 10?" in sent_to(h, KARI)[-1][1]
    assert sent_to(h, KARI)[-1][2] == note[0]
    assert h.last(ANNA) == "Skickat till Kari Nordvik."
    assert sent_to(h, ANNA)[-1][2] == first_copy[0]  # her note is in the thread too
    # Kari replies to Anna's copy: it goes to Anna in the thread's first message
    await reply(h, KARI, sent_to(h, KARI)[-1][0], "Torsdag passer!")
    assert "Torsdag passer!" in h.last(ANNA)
    assert sent_to(h, ANNA)[-1][2] == first_copy[0]
    messages = await stored(h)
    root = 1 if messages else None
    assert [(text, thread) for _, text, thread in messages] == [
        ("Hei Anna! Når passer det å snakke?", None),
        ("Hej! Torsdag kl. 10?", root),
        ("Torsdag passer!", root),
    ]


async def test_the_button_waits_for_the_next_message(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await h.say(ANNA, action="buddy_write")
    assert "Vad vill du säga till Kari Nordvik?" in h.last(ANNA)
    await h.say(ANNA, "   ")
    assert "Meddelandet är tomt" in h.last(ANNA)
    await h.say(ANNA, "Klar och tydlig: vi ses på träffen!")  # starts with a command word
    assert "Klar och tydlig: vi ses på träffen!" in h.last(KARI)
    await h.say(ANNA, "Hej igen")  # the button's wait is over: this is no message
    assert "Hej igen" not in h.last(KARI)


async def test_kompis_followed_by_a_command_is_the_command(h: Harness) -> None:
    await group(h, KARI, ANNA)
    before = len(h.texts(ANNA))
    await h.say(KARI, "Kompis, status?")
    assert len(h.texts(ANNA)) == before
    assert "status" in h.last(KARI).lower()


async def test_bad_input(h: Harness) -> None:
    await h.say(KARI, "kompis Hei!")
    assert "Du har ingen læringsvenn nå" in h.last(KARI)
    await group(h, KARI, ANNA)
    await h.say(KARI, "kompis " + "x" * 10_000)
    assert "10\xa0000 tegn, og jeg tar inntil 4\xa0000" in h.last(KARI)
    assert "xxxx" not in h.last(ANNA)
    await h.say(KARI, "kompis " + "y" * MAX_MESSAGE)  # accepted, split by the platform
    ys = "".join(text for text in h.texts(ANNA)[-2:] if "y" * 100 in text)
    assert ys.count("y") >= MAX_MESSAGE
    assert h.last(KARI) == "Sendt til Anna Lindqvist."
    assert len(await stored(h)) == 1


async def test_a_reply_from_someone_not_in_the_pair_is_not_relayed(h: Harness) -> None:
    pair = await group(h, KARI, ANNA)
    await h.say(KARI, "kompis Hei Anna!")
    copy = sent_to(h, ANNA)[-1][0]
    # Johan has no buddy; he replies to a message id that is Anna's copy in her chat
    await reply(h, JOHAN, copy, "Hallo?")
    assert "Hallo?" not in h.last(ANNA) and "Hallo?" not in h.last(KARI)
    assert len(await stored(h)) == 1
    # the pair ends: a reply to an old copy is refused with a clear message
    async with unit(h.app.db) as store:
        await store.end_buddy_group(pair, h.clock.now(), "swapped")
    await reply(h, ANNA, copy, "Är du kvar?")
    assert "Det samtalet har avslutats" in h.last(ANNA)
    assert len(await stored(h)) == 1


async def test_a_trio_writes_to_both_others_and_one_leaves(h: Harness) -> None:
    await group(h, KARI, ANNA, SIRI)
    assert "Møt læringsvennene dine" in h.last(KARI)
    assert "Siri Haugen, kommunekoordinator" in h.last(KARI)
    await h.say(SIRI, "kompis Hei begge to!")
    assert "Hei begge to!" in h.last(KARI) and "Hei begge to!" in h.last(ANNA)
    assert h.last(SIRI) in (
        "Sendt til Kari Nordvik og Anna Lindqvist.",
        "Sendt til Anna Lindqvist og Kari Nordvik.",
    )
    siri = await h.person_id(SIRI)
    async with unit(h.app.db) as store:
        assert await buddy_left(store, siri, h.clock.now()) == 1
    await h.app.sender.drain()
    assert "Du og Anna Lindqvist er fortsatt læringsvenner" in h.last(KARI)
    async with unit(h.app.db) as store:
        kari = await h.person_id(KARI)
        assert await store.current_buddies(kari, "demo") == [await h.person_id(ANNA)]
        await store.session.delete(await store.session.get(PersonRow, siri))
    assert [t for _, t, _ in await stored(h)] == []  # what Siri wrote went with her


async def test_a_pair_is_told_when_the_buddy_leaves(h: Harness) -> None:
    await group(h, KARI, ANNA)
    async with unit(h.app.db) as store:
        await buddy_left(store, await h.person_id(ANNA), h.clock.now())
    await h.app.sender.drain()
    assert "Læringsvennen din har sluttet i programmet" in h.last(KARI)
    await h.say(KARI, "kompis Hallo?")
    assert "Du har ingen læringsvenn nå" in h.last(KARI)


async def test_the_button_wait_ends_when_the_pair_does(h: Harness) -> None:
    pair = await group(h, KARI, ANNA)
    await h.say(KARI, action="buddy_write")
    async with unit(h.app.db) as store:
        await store.end_buddy_group(pair, h.clock.now(), "swapped")
    await h.say(KARI, "Hei!")
    assert "Du har ingen læringsvenn nå" in h.last(KARI)
    await h.say(KARI, "Hei igjen!")  # no longer waiting: an ordinary unknown word
    assert "Du har ingen læringsvenn nå" not in h.last(KARI)


async def test_a_button_naming_another_groups_thread_starts_a_new_one(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await group(h, SIRI, JOHAN)
    await h.say(SIRI, "kompis Hei Johan!")
    (siri_thread,) = [thread for sender, _, thread in await stored(h)] or [None]
    await h.say(KARI, action="buddy_write:1")  # message 1 is Siri's, not Kari's group's
    await h.say(KARI, "Hei Anna!")
    messages = await stored(h)
    assert siri_thread is None and messages[-1][1:] == ("Hei Anna!", None)
    assert "Hei Anna!" in h.last(ANNA) and "Hei Anna!" not in h.last(JOHAN)


async def test_a_picture_while_writing_to_the_buddy_is_refused_kindly(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await h.say(ANNA, action="buddy_write")
    await h.app.handle(Inbound("memory", ANNA, ANNA, text="Titta!", media=True))
    assert "Skriv meddelandet till din lärkompis som text" in h.last(ANNA)
    assert "Titta!" not in h.last(KARI)


async def test_erasing_a_sender_deletes_their_messages_and_keeps_the_buddys(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await h.say(KARI, "kompis Hei Anna!")
    await reply(h, ANNA, sent_to(h, ANNA)[-1][0], "Hej Kari!")
    kari = await h.person_id(KARI)
    async with unit(h.app.db) as store:
        await buddy_left(store, kari, h.clock.now())
    async with unit(h.app.db) as store:
        keys = (await store.session.exec(select(OutboxRow.key))).all()
        assert not [k for k in keys if k.startswith("buddy:1:")]  # Kari's copies are gone
        assert [k for k in keys if k.startswith("buddy:2:")]  # Anna's own stay until erased
        person = await store.session.get(PersonRow, kari)
        await store.session.delete(person)
    assert [(t, thread) for _, t, thread in await stored(h)] == [("Hej Kari!", None)]
    await h.app.sender.drain()
    assert "Din lärkompis har lämnat programmet" in h.last(ANNA)


async def test_a_reply_to_the_introduction_writes_to_the_buddy(h: Harness) -> None:
    await group(h, KARI, ANNA)
    intro = sent_to(h, ANNA)[-1][0]
    await reply(h, ANNA, intro, "Hej Kari, trevligt!")
    assert "Hej Kari, trevligt!" in h.last(KARI)
    assert h.last(ANNA) == "Skickat till Kari Nordvik."


async def test_a_picture_in_reply_to_a_buddy_message_or_elsewhere(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await h.say(KARI, "kompis Hei Anna!")
    copy = sent_to(h, ANNA)[-1][0]
    await h.app.handle(Inbound("memory", ANNA, ANNA, media=True, reply_to=copy))
    assert "Skriv meddelandet till din lärkompis som text" in h.last(ANNA)
    intro = sent_to(h, KARI)[0][0]  # not a copy of a buddy message
    await h.app.handle(Inbound("memory", KARI, KARI, media=True, reply_to=intro))
    assert "Skriv det som tekst i stedet" in h.last(KARI)
