"""A leader's first weeks, through the real dispatcher, outbox and memory transport."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.messages import Inbound
from bot.domain.people import Visibility
from bot.storage.repo import unit
from tests.helpers import Harness


async def test_stage_opens_reflection_answered_status_updates(harness: Harness) -> None:
    await harness.advance(timedelta(days=1))  # Monday 11 January 2027, 09:00 Oslo
    opening = harness.last("kari.nordvik")
    assert opening.startswith("Forarbeid – ")
    assert "Nå kan du begynne. Frist: fredag 5. februar 2027." in opening
    assert harness.last("anna.lindqvist").startswith("Förarbete – ")
    assert "Sista dag: fredag 5 februari 2027." in harness.last("anna.lindqvist")
    assert "No kan du byrje. Frist:" in harness.last("siri.haugen")  # nynorsk
    # the organiser is not a participant and gets no stage reminder
    assert harness.texts("emma.hansen") == []

    await harness.say("kari.nordvik", "svar")
    assert "Tenk på en digital endring" in harness.last("kari.nordvik")
    await harness.say("kari.nordvik", "Vi digitaliserte byggesaker.\nMen vi glemte brukerne.")
    assert "Svaret ditt på «Din erfaring» er lagret" in harness.last("kari.nordvik")

    async with unit(harness.app.db) as store:
        person = await harness.person_id("kari.nordvik")
        saved = await store.reflections(person)
    assert [r.text for r in saved] == ["Vi digitaliserte byggesaker.\nMen vi glemte brukerne."]
    assert saved[0].visibility == Visibility.BUDDY  # the cohort's bank_default

    await harness.say("kari.nordvik", "status")
    status = harness.last("kari.nordvik")
    assert "- Din erfaring: ferdig" in status
    assert "- Innbyggerens blikk: ikke gjort ennå" in status


async def test_reminders_go_only_to_those_who_have_not_done_the_work(harness: Harness) -> None:
    await harness.advance(timedelta(days=1))
    for _ in range(2):
        await harness.say("kari.nordvik", action="reflect")
        await harness.say("kari.nordvik", "Et svar.")
    await harness.say("kari.nordvik", action="done:kom-i-gang/forarbeid/gruppeoppgave")
    assert "er merket som ferdig" in harness.last("kari.nordvik")
    before = len(harness.texts("kari.nordvik"))
    await harness.advance(timedelta(days=29))  # past the deadline and the overdue nudge
    kari_new = harness.texts("kari.nordvik")[before:]
    assert not any("Fristen er" in t or "Fristen var" in t for t in kari_new)
    ola = harness.texts("ola.bakken")
    assert any("Fristen er om 3 dager" in t for t in ola)
    assert any("I dag er fristen" in t for t in ola)
    assert any("Fristen var fredag 5. februar" in t for t in ola)


async def test_nothing_is_sent_twice_when_planning_reruns(harness: Harness) -> None:
    await harness.advance(timedelta(days=1))
    count = len(harness.transport.sent)
    async with unit(harness.app.db) as store:
        cohort = harness.cohort.id
        await store.set_planned_until(cohort, harness.clock.now() - timedelta(days=2))
    await harness.app.tick()
    assert len(harness.transport.sent) == count


async def test_redelivered_event_is_handled_once(harness: Harness) -> None:
    await harness.say("kari.nordvik", "status", event_id="update-7")
    await harness.say("kari.nordvik", "status", event_id="update-7")
    assert len(harness.texts("kari.nordvik")) == 1


async def test_unknown_person_and_unknown_command(harness: Harness) -> None:
    await harness.say("stranger", "hei")
    assert "Jeg kjenner deg ikke ennå" in harness.last("stranger")  # the cohort's language
    await harness.app.handle(
        Inbound("memory", "främling", "främling", text="hej", locale_hint="sv-FI")
    )
    assert "Jag vet inte vem du är än" in harness.last("främling")
    await harness.say("kari.nordvik", "/teleport")
    assert "Jeg forsto ikke «teleport»" in harness.last("kari.nordvik")
    await harness.say("kari.nordvik", "bare prat")
    assert "Skriv «hjelp»" in harness.last("kari.nordvik")


async def test_language_switch(harness: Harness) -> None:
    await harness.say("kari.nordvik", "språk")
    assert "Velg språk" in harness.last("kari.nordvik")
    await harness.say("kari.nordvik", action="language:sv")
    assert "svenska" in harness.last("kari.nordvik")
    await harness.say("kari.nordvik", "hjälp")
    assert "Hej Kari!" in harness.last("kari.nordvik")
    await harness.say("kari.nordvik", "språk klingon")
    assert "Jag känner inte till språket ”klingon”" in harness.last("kari.nordvik")


async def test_a_redelivered_event_that_failed_is_answered_once(harness: Harness) -> None:
    await harness.say("kari.nordvik", "språk klingon", event_id="update-9")
    harness.clock.advance(timedelta(minutes=1))  # the platform redelivers a minute later
    await harness.say("kari.nordvik", "språk klingon", event_id="update-9")
    assert len(harness.texts("kari.nordvik")) == 1
