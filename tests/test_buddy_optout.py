"""A leader opts out of having a learning buddy in chat (``kompis av``), and back in
(``kompis på``), through the real composition on the memory transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain.buddy_rounds import buddy_rounds
from bot.features import buddy_admin
from bot.features.buddy_intro import introduce
from bot.features.commands import parse_text
from bot.storage.repo import unit
from tests.helpers import Harness

KARI, ANNA, SIRI = "kari.nordvik", "anna.lindqvist", "siri.haugen"
VB = "vb-2027"


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
        (saved,) = await store.save_buddy_groups(h.cohort.id, 1, [ids], h.clock.now())
        await introduce(store, h.catalog, [saved], h.clock.now())
    await h.app.sender.drain()
    return saved.id


def labels(h: Harness, handle: str) -> list[str]:
    """The buttons of the last message ``handle`` received."""
    last = [s for s in h.transport.sent if s.address.chat_id == handle][-1]
    return [b.label for b in last.message.buttons]


async def opt_outs(h: Harness) -> dict[int, str]:
    async with unit(h.app.db) as store:
        return await store.buddy_opt_outs(h.cohort.id)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("kompis av", "buddy_off"),  # nb, nn, sv
        ("Kompis stopp!", "buddy_off"),
        ("kompis sluta", "buddy_off"),  # sv
        ("kompis slutt", "buddy_off"),  # nb, nn
        ("buddy off", "buddy_off"),
        ("kompis på", "buddy_on"),
        ("kompis pa", "buddy_on"),  # a keyboard without å
        ("kompis igjen", "buddy_on"),  # nb, nn
        ("kompis igen", "buddy_on"),  # sv
        ("buddy on", "buddy_on"),
        ("kompis av og til tenker jeg på deg", "buddy"),
        ("kompis på fredag?", "buddy"),
        ("kompis hei", "buddy"),
    ],
)
def test_the_words_only_when_the_message_is_exactly_them(text: str, name: str) -> None:
    found = parse_text(text)
    assert found is not None and found.name == name


async def test_a_one_word_message_that_is_no_switch_still_relays(h: Harness) -> None:
    await group(h, KARI, ANNA)
    await h.say(KARI, "kompis hei")
    assert "hei" in h.last(ANNA) and "Kari Nordvik" in h.last(ANNA)
    assert await opt_outs(h) == {}


async def test_opting_out_asks_first_and_no_keeps_the_buddy(h: Harness) -> None:
    pair = await group(h, KARI, ANNA)
    await h.say(KARI, "kompis av")
    asked = h.last(KARI)
    assert "Vil du slutte å ha læringsvenn? Læringsvennen din nå er Anna Lindqvist." in asked
    assert "får læringsvennen din en ny læringsvenn" in asked
    assert labels(h, KARI) == ["Ja, stopp", "Nei, behold læringsvennen min"]
    await h.say(KARI, action="buddy_off_no")
    assert h.last(KARI) == "Fint: Anna Lindqvist er fortsatt læringsvennen din."
    assert await opt_outs(h) == {}
    async with unit(h.app.db) as store:
        still = await store.buddy_group_of(await h.person_id(KARI), h.cohort.id)
    assert still is not None and still.id == pair


async def test_yes_stops_and_the_buddy_is_told_kindly_and_repaired(h: Harness) -> None:
    await group(h, KARI, ANNA)
    kari, anna = await h.person_id(KARI), await h.person_id(ANNA)
    before = len(h.texts(ANNA))
    await h.say(KARI, "kompis stopp")
    await h.say(KARI, action="buddy_off_yes")
    assert "Ferdig: du har ikke lenger en læringsvenn." in h.last(KARI)
    assert labels(h, KARI) == ["Jeg vil ha en læringsvenn igjen"]
    assert await opt_outs(h) == {kari: "self"}
    await h.app.sender.drain()
    told = h.texts(ANNA)[before:]
    ended = "Din lärkompis är inte längre med i parningen av lärkompisar, så ert par har avslutats."
    assert any(ended in t for t in told)
    assert any("Du har redan fått en ny lärkompis." in t for t in told)
    assert not any("Kari" in t for t in told)  # no name, no reason
    async with unit(h.app.db) as store:
        new = await store.buddy_group_of(anna, h.cohort.id)
        names = {p.id: p.name for p in await store.people_in_cohort(h.cohort.id)}
    assert new is not None and kari not in new.members
    # the introduction to the new buddy rides in a later planned message
    await h.advance(timedelta(days=3))
    await h.app.sender.drain()
    later = "\n".join(h.texts(ANNA)[before:])
    for member in new.members:
        if member != anna:
            assert names[member] in later
    # a second tap changes nothing
    await h.say(KARI, action="buddy_off_yes")
    assert "Du har valgt å ikke ha en læringsvenn" in h.last(KARI)


async def test_while_opted_out_a_message_for_the_buddy_says_how_to_get_one(h: Harness) -> None:
    await h.say(SIRI, "kompis av")  # no buddy: recorded at once, nothing to ask
    assert "Ferdig: eg gir deg ingen læringsven." in h.last(SIRI)
    await h.say(SIRI, "kompis Hei, er du der?")
    text = h.last(SIRI)
    assert "Du har valt å ikkje ha ein læringsven" in text and "«kompis på»" in text
    assert labels(h, SIRI) == ["Eg vil ha ein læringsven igjen"]
    await h.say(SIRI, action="buddy_on")
    assert "Velkomen tilbake" in h.last(SIRI)
    assert await opt_outs(h) == {}


async def test_someone_an_organiser_took_out_is_sent_to_the_organiser(h: Harness) -> None:
    await group(h, ANNA, KARI)
    async with unit(h.app.db) as store:
        await buddy_admin.unpair(
            store, h.cohort, "anna.lindqvist@kiruna.example.org", h.clock.now()
        )
    await h.say(ANNA, "kompis på")
    assert "En arrangör har tagit bort dig från parningen" in h.last(ANNA)
    assert "Fråga arrangörerna" in h.last(ANNA)
    await h.say(ANNA, "kompis hej")
    assert "En arrangör har tagit bort dig" in h.last(ANNA)
    assert await opt_outs(h) == {await h.person_id(ANNA): "unpaired"}


async def test_in_a_running_round_the_trio_goes_on_and_opting_in_places_at_once(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort=VB)
    await h.start()
    try:
        first = buddy_rounds(h.cohort)[0]
        await h.advance(first.starts_at - h.clock.now() + timedelta(minutes=1))
        await h.app.sender.drain()
        async with unit(h.app.db) as store:
            groups = await store.buddy_groups(VB, 1, True)
            people = {p.id: p for p in await store.people_in_cohort(VB)}
            handles = {p.id: p.email.split("@")[0] for p in people.values()}
        a, b = groups[0].members
        # a leaves: b, alone, joins another pair as its third and hears so
        await h.say(handles[a], "kompis av")
        assert f"Din lärkompis nu är {people[b].name}." in h.last(handles[a])
        await h.say(handles[a], action="buddy_off_yes")
        await h.app.sender.drain()
        assert any("Du har redan fått en ny lärkompis." in t for t in h.texts(handles[b]))
        async with unit(h.app.db) as store:
            trio = await store.buddy_group_of(b, VB)
        assert trio is not None and len(trio.members) == 3 and a not in trio.members
        # one of the trio leaves: the other two go on as a pair, and hear it
        c, d = [m for m in trio.members if m != b]
        await h.say(handles[c], "kompis av")
        await h.say(handles[c], action="buddy_off_yes")
        await h.app.sender.drain()
        for stayer, other in ((b, d), (d, b)):
            assert (
                "En av dina lärkompisar är inte längre med i parningen av lärkompisar. "
                f"Du och {people[other].name} är fortfarande lärkompisar."
            ) in h.texts(handles[stayer])[-1]
        async with unit(h.app.db) as store:
            pair = await store.buddy_group_of(b, VB)
        assert pair is not None and set(pair.members) == {b, d}
        # a is back: placed at once in the running round
        await h.say(handles[a], "kompis på")
        reply = h.texts(handles[a])[-1]
        assert "Välkommen tillbaka" in reply and "Du har en lärkompis nu." in reply
        async with unit(h.app.db) as store:
            again = await store.buddy_group_of(a, VB)
        assert again is not None and again.round == 1 and b not in again.members
        await h.advance(timedelta(days=3))
        await h.app.sender.drain()
        names = [people[m].name for m in again.members if m != a]
        assert any(all(n in t for n in names) for t in h.texts(handles[a]))
    finally:
        await h.stop()
