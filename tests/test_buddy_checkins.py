"""Check-ins for quiet buddy groups mid-stage, their answers, and the note a sender gets
when their buddy turns out to be unreachable after the message was queued."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from tests.helpers import Harness

KARI, ANNA, SIRI, JOHAN = "kari.nordvik", "anna.lindqvist", "siri.haugen", "johan.berglund"
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
async def h(database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(database_url)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def pair(h: Harness, *handles: str) -> None:
    ids = [await h.person_id(handle) for handle in handles]
    async with unit(h.app.db) as store:
        await store.save_buddy_groups("demo", 1, [ids], h.clock.now())


async def at(h: Harness, day: str, hour: int) -> None:
    """Move the clock (the bot's tick plans and sends what is due)."""
    h.clock.set(datetime.combine(datetime.fromisoformat(day).date(), time(hour), OSLO))
    await h.app.tick()


def checkins(h: Harness, handle: str) -> list[str]:
    return [t for t in h.texts(handle) if "i denne fasen" in t or "i den här delen" in t]


def checkin_button(h: Harness, handle: str, answer: str) -> str:
    for sent in reversed(h.transport.sent):
        if sent.address.chat_id == handle:
            for button in sent.message.buttons:
                if button.action.startswith("buddy_checkin:") and button.action.endswith(answer):
                    return button.action
    raise AssertionError(f"{handle} has no check-in")


async def test_a_quiet_pair_is_asked_once_mid_stage_and_answers_are_stored(h: Harness) -> None:
    await pair(h, KARI, ANNA)
    await pair(h, SIRI, JOHAN)
    await at(h, "2027-01-15", 10)
    await h.say(SIRI, "kompis Hei Johan! Skal vi ta ein prat?")
    await at(h, "2027-01-22", 10)  # before the middle of forarbeid (11 Jan - 5 Feb)
    assert checkins(h, KARI) == []
    await at(h, "2027-01-25", 10)
    assert checkins(h, KARI) == [
        "Har du og Anna Lindqvist snakket sammen i denne fasen?\n\n"
        "Svar med en av knappene. Bare arrangørene ser svaret."
    ]
    assert checkins(h, ANNA) == [
        "Har du och Kari Nordvik pratat med varandra i den här delen?\n\n"
        "Svara med en av knapparna. Bara arrangörerna ser svaret."
    ]
    assert checkins(h, SIRI) == checkins(h, JOHAN) == []  # they talked
    labels = [b.label for b in h.transport.sent[-1].message.buttons]
    assert labels == [
        "Ja, vi har pratat",
        "Inte än",
        "Vi hittar inte tid",
        "Jag vill ha en ny lärkompis",
    ]
    await h.say(ANNA, action=checkin_button(h, ANNA, "new_buddy"))
    assert "Jag har noterat att du vill ha en ny lärkompis" in h.last(ANNA)
    await h.say(KARI, action=checkin_button(h, KARI, "not_yet"))
    assert "Skriv til læringsvennen min" in h.last(KARI)
    await at(h, "2027-02-01", 10)
    assert len(checkins(h, KARI)) == 1  # once per stage
    async with unit(h.app.db) as store:
        (group,) = [
            g for g in await store.buddy_groups("demo") if await h.person_id(KARI) in g.members
        ]
        answers = {c.person_id: c.answer for c in await store.checkins([group.id])}
    assert answers == {await h.person_id(KARI): "not_yet", await h.person_id(ANNA): "new_buddy"}
    # someone else's check-in button is refused
    await h.say(JOHAN, action=checkin_button(h, KARI, "yes"))
    assert h.last(JOHAN) == "Den här frågan gäller inte längre."  # Johan writes Swedish


async def test_a_checkin_planned_in_quiet_hours_waits_for_the_morning(h: Harness) -> None:
    await pair(h, KARI, ANNA)
    await at(h, "2027-01-26", 22)
    assert checkins(h, KARI) == []
    async with unit(h.app.db) as store:
        rows = await store.session.exec(
            select(OutboxRow.not_before).where(col(OutboxRow.key).startswith("buddy_checkin:"))
        )
        moments = [m.astimezone(OSLO) for m in rows]
    assert len(moments) == 2 and all(m.date().isoformat() == "2027-01-27" for m in moments)
    assert all(time(8) <= m.time() <= time(9) for m in moments)
    await at(h, "2027-01-27", 9)
    assert len(checkins(h, KARI)) == 1


async def test_the_sender_is_told_when_the_buddy_cannot_be_reached(h: Harness) -> None:
    await pair(h, KARI, ANNA)
    h.transport.blocked.add(ANNA)  # Anna blocked the bot; Kompis does not know yet
    await h.say(KARI, "kompis Hei Anna!")
    assert h.last(KARI) == "Sendt til Anna Lindqvist."
    await h.app.tick()
    assert "Den siste meldingen din kom ikke fram til Anna Lindqvist" in h.last(KARI)
    await h.app.tick()
    assert sum("kom ikke fram" in t for t in h.texts(KARI)) == 1  # told once
    await h.say(KARI, "kompis Er du der?")  # now Kompis knows at once
    assert "Jeg når ikke Anna Lindqvist nå" in h.last(KARI)
    assert "Sendt til" not in h.last(KARI)
