"""Broadcasts from chat: an organiser and a coordinator write one (buttons, text, preview,
send); a leader and a coordinator reaching past their own organisation are refused; RSVPs are
shown on the person's own message and close when the gathering starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain.broadcast import BroadcastMessage, parse_targets
from bot.features.broadcasts import Draft, create
from bot.features.broadcasts_report import report
from bot.storage.repo import unit
from tests.helpers import Harness

ORGANISER = "emma.hansen"  # nettverket, organiser
TROMSO_COORD = "ola.bakken"
KIRUNA_COORD = "anna.lindqvist"
LEADER = "kari.nordvik"
DAG_1 = ("kari.nordvik", "ola.bakken", "siri.haugen", "emma.hansen")  # tromso, alta, nettverket


@pytest.fixture
async def kompis(database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(database_url)
    await harness.start()
    yield harness
    await harness.stop()


def buttons(h: Harness, handle: str) -> list[tuple[str, str]]:
    last = [s for s in h.transport.sent if s.address.chat_id == handle][-1]
    return [(b.label, b.action) for b in last.message.buttons]


async def test_an_organiser_broadcasts_to_a_gathering_group_from_chat(kompis: Harness) -> None:
    h = kompis
    await h.say(ORGANISER, "kunngjøring")
    offered = buttons(h, ORGANISER)
    assert ("Samlingsgruppe: Dag 1", "broadcast_to:group:dag-1") in offered
    assert ("Alle", "broadcast_to:all") in offered
    await h.say(ORGANISER, action="broadcast_to:group:dag-1")
    assert "går til 4 personer" in h.last(ORGANISER)
    # a text that starts with a command word is the announcement, not the command
    await h.say(ORGANISER, "Status: samlingen flyttes til rom 2 i morgen {place}.")
    preview = h.last(ORGANISER)
    assert "Dette får 4 personer" in preview and "rom 2 i morgen {place}." in preview
    before = {handle: len(h.texts(handle)) for handle in (*DAG_1, KIRUNA_COORD)}
    await h.say(ORGANISER, action="broadcast_send")
    # the organiser is in the group too: their confirmation, then their own copy
    assert "Kunngjøring 1 er på vei til 4 personer" in h.texts(ORGANISER)[-2]
    for handle in DAG_1:
        got = h.texts(handle)[before[handle] :]
        assert any("rom 2" in t for t in got), handle
    assert not any("rom 2" in t for t in h.texts(KIRUNA_COORD)[before[KIRUNA_COORD] :])
    # the nynorsk reader gets the organiser's bokmål text inside a nynorsk frame
    assert "Kunngjering frå dei som driv programmet" in h.last("siri.haugen")
    # the chat broadcast is the same object the command line manages
    async with unit(h.app.db) as store:
        (made,) = await store.broadcasts("demo")
        shown = await report(store, h.cohort, made)
    assert made.source == "chat" and made.targets == "group:dag-1"
    assert shown.total("sent") == 4 and shown.total("pending") == 0


async def test_a_coordinator_may_broadcast_only_to_their_own_organisation(kompis: Harness) -> None:
    h = kompis
    await h.say(KIRUNA_COORD, "utskick")
    assert buttons(h, KIRUNA_COORD) == [("Kiruna kommun", "broadcast_to:org:kiruna")]
    await h.say(KIRUNA_COORD, "utskick org:tromso")
    assert "bara skicka utskick till din egen organisation" in h.last(KIRUNA_COORD)
    # a forged button for another municipality: refused the same way
    await h.say(KIRUNA_COORD, action="broadcast_to:all")
    assert "bara skicka utskick till din egen organisation" in h.last(KIRUNA_COORD)
    await h.say(KIRUNA_COORD, action="broadcast_to:org:kiruna")
    await h.say(KIRUNA_COORD, "Lokalt möte på fredag kl. 10.")
    await h.say(KIRUNA_COORD, action="broadcast_send")
    confirmation, copy = h.texts(KIRUNA_COORD)[-2:]  # Anna is Kiruna's only member
    assert "Utskick 1 är på väg till 1 person." in confirmation
    assert copy.startswith("Utskick från samordnaren i din organisation")
    assert not any("fredag" in t for t in h.texts(TROMSO_COORD))
    async with unit(h.app.db) as store:
        assert await store.broadcasts("demo") != []


async def test_a_leader_is_refused_politely_and_nothing_waits(kompis: Harness) -> None:
    h = kompis
    await h.say(LEADER, "hjelp")
    assert "kunngjøring" not in h.last(LEADER)  # help names it only for those who may
    await h.say(TROMSO_COORD, "hjelp")
    assert "kunngjøring: send en kunngjøring" in h.last(TROMSO_COORD)
    await h.say(LEADER, "broadcast")
    assert "Bare de som driver programmet og kommunekoordinatorene" in h.last(LEADER)
    await h.say(LEADER, action="broadcast_to:all")
    assert "Bare de som driver programmet" in h.last(LEADER)
    await h.say(LEADER, action="broadcast_send")  # nothing was being written
    async with unit(h.app.db) as store:
        assert await store.broadcasts("demo") == []
        assert await store.conversation(await h.person_id(LEADER)) is None


async def test_cancel_at_the_preview_sends_nothing(kompis: Harness) -> None:
    h = kompis
    await h.say(ORGANISER, "broadcast all")
    await h.say(ORGANISER, "Ingen samling likevel")
    await h.say(ORGANISER, action="broadcast_drop")
    assert "ble ikke sendt" in h.last(ORGANISER)
    assert not any("Ingen samling" in t for t in h.texts(LEADER))


async def test_rsvp_is_shown_on_the_message_changeable_until_the_gathering(
    kompis: Harness,
) -> None:
    h = kompis
    async with unit(h.app.db) as store:
        draft = Draft(
            h.cohort,
            parse_targets("group:dag-1", h.cohort),
            BroadcastMessage({"nb": "Samling {date} kl. {time}, {place}."}),
            rsvp=True,
            gathering="kom-i-gang/dag-1",
        )
        broadcast_id, _plan = await create(store, h.catalog, draft, h.clock.now())
    await h.advance(timedelta(seconds=1))
    message = next(
        s for s in h.transport.sent if s.address.chat_id == LEADER and "Samling" in s.message.text
    )
    assert "tirsdag 9. februar 2027 kl. 09:00, Scandic Ishavshotel" in message.message.text
    labels = [b.label for b in message.message.buttons]
    assert labels == ["Kommer", "Kommer ikke", "Kanskje"]
    await h.say(LEADER, action=f"rsvp:{broadcast_id}:coming")
    edited = next(s for s in h.transport.sent if s.message_id == message.message_id)
    assert "Ditt svar: kommer." in edited.message.text
    await h.say(LEADER, action=f"rsvp:{broadcast_id}:maybe")
    edited = next(s for s in h.transport.sent if s.message_id == message.message_id)
    assert "Ditt svar: kanskje." in edited.message.text
    await h.say(TROMSO_COORD, action=f"rsvp:{broadcast_id}:not_coming")
    # someone the broadcast did not go to cannot answer it
    await h.say(KIRUNA_COORD, action=f"rsvp:{broadcast_id}:coming")
    assert "skickades det inte till dig" in h.last(KIRUNA_COORD)
    async with unit(h.app.db) as store:
        made = await store.broadcast(broadcast_id)
        assert made is not None
        shown = await report(store, h.cohort, made)
    assert shown.tally["Tromsø kommune"] == {"maybe": 1, "not_coming": 1}
    assert sorted(p.name for p in shown.unanswered) == ["Emma Hansen", "Siri Haugen"]
    # the gathering starts: answers close
    assert made.answers_until is not None
    h.clock.set(made.answers_until + timedelta(minutes=1))
    await h.say(LEADER, action=f"rsvp:{broadcast_id}:coming")
    assert "Samlingen har begynt" in h.last(LEADER)
    edited = next(s for s in h.transport.sent if s.message_id == message.message_id)
    assert "Ditt svar: kanskje." in edited.message.text
