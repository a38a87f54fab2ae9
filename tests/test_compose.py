"""What a leader receives, on the injected clock and as the memory transport got it: one
message a day, composed from the person's state when it is sent, in their own timezone."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog
from bot.domain.people import Role
from bot.storage.repo import unit
from tests.helpers import Harness, shipped_catalog
from tests.reminder_support import Received, record

KARI = "kari.nordvik"
LATE_NB = "kommer sent"


def on(received: list[Received], day: date) -> list[Received]:
    return [r for r in received if r.at.date() == day]


async def test_reminders_held_by_a_snooze_are_recomposed_into_one_message(
    harness: Harness,
) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=24, hours=20))  # Thursday 4 February, 08:00
    await harness.say(KARI, "utsett 3")  # Thursday + 3 days = Sunday: until Monday 09:00
    assert "mandag 8. februar 2027 kl. 09:00" in harness.last(KARI)
    await harness.advance(timedelta(days=6))
    held = [r for r in rec.of(KARI) if r.at.date() > date(2027, 2, 4)]
    # the due-day reminder of Friday waited; on Monday everything arrives as ONE message
    assert [f"{r.at:%a %d %H:%M}" for r in held] == ["Mon 08 09:00"]
    text = held[0].text
    assert "Fristen var fredag 5. februar 2027." in text  # true on the day it arrives
    assert "I dag er fristen" not in text
    assert LATE_NB not in text  # held by a snooze is not late
    assert text.index("Neste samling") < text.index("Samling – ") < text.index("Fristen var")


async def test_resume_delivers_what_the_snooze_held(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=22))  # Monday 1 February, 12:00
    await harness.say(KARI, "utsett 3")  # until Thursday 4 February 09:00
    await harness.advance(timedelta(days=1))  # Tuesday 12:00: the 09:00 reminder is held
    assert on(rec.of(KARI), date(2027, 2, 2)) == []
    await harness.say(KARI, "fortsett")
    tuesday = on(rec.of(KARI), date(2027, 2, 2))
    assert len(tuesday) == 2, [r.text for r in tuesday]
    assert any("Påminnelsene er slått på igjen." in r.text for r in tuesday)
    held = next(r for r in tuesday if "Forarbeid – " in r.text)
    assert "Fristen er om 3 dager: fredag 5. februar 2027." in held.text
    assert f"{held.at:%H:%M}" == "12:00"


async def test_a_pause_after_a_snooze_holds_everything_back(database_url: str) -> None:
    # the policy spelled out, so the Tuesday reminder exists whatever the shipped default
    base = shipped_catalog()
    demo = base.cohort("demo")
    policy = demo.reminders.model_copy(update={"before_due_days": [3]})
    catalog = Catalog(
        programmes=dict(base.programmes),
        cohorts={"demo": demo.model_copy(update={"reminders": policy})},
    )
    harness = Harness(database_url, catalog=catalog)
    await harness.start()
    try:
        await _pause_after_snooze(harness)
    finally:
        await harness.stop()


async def _pause_after_snooze(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=22))  # Monday 1 February, 12:00
    await harness.say(KARI, "utsett 3")  # until Thursday 4 February 09:00
    await harness.advance(timedelta(days=1))  # Tuesday 12:00: the 09:00 reminder is held
    await harness.say(KARI, "pause 15.2.2027")
    replies = len(rec.of(KARI))
    await harness.advance(timedelta(days=12))  # Sunday 14 February
    assert rec.of(KARI)[replies:] == []  # not on Thursday when the snooze ended, nor after
    await harness.advance(timedelta(days=20))
    assert rec.of(KARI)[replies:], "reminders come back after the pause"


async def test_remind_me_tomorrow_brings_back_that_stage_only(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=23, hours=-2))  # Tuesday 2 February, 10:00
    sent = [s for s in harness.transport.sent if s.address.chat_id == KARI][-1].message
    assert "Fristen er om 3 dager" in sent.text
    again = next(b for b in sent.buttons if b.label == "Minn meg på det i morgen")
    await harness.say(KARI, action=again.action)
    assert "onsdag 3. februar 2027 kl. 09:00" in harness.last(KARI)
    await harness.say(KARI, "status")
    assert "venter til" not in harness.last(KARI)  # the other reminders are not held
    await harness.advance(timedelta(days=1))  # Wednesday 10:00
    wednesday = on(rec.of(KARI), date(2027, 2, 3))
    assert [f"{r.at:%H:%M}" for r in wednesday] == ["09:00"]
    assert wednesday[0].first_line == "Forarbeid – Hva er digital transformasjon?"
    assert "Fristen er om 2 dager: fredag 5. februar 2027." in wednesday[0].text
    assert on(rec.of("ola.bakken"), date(2027, 2, 3)) == []  # nobody else is reminded
    await harness.advance(timedelta(days=2))
    assert "I dag er fristen." in on(rec.of(KARI), date(2027, 2, 5))[0].text


async def test_a_gathering_stage_is_announced_as_a_day_not_a_task(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=29))  # Monday 8 February, 12:00
    monday = on(rec.of(KARI), date(2027, 2, 8))
    assert len(monday) == 1
    gathering = monday[0].text.split("Samling – ")[1].split("Forarbeid – ")[0]
    assert "Frist" not in gathering and "ikke gjort" not in gathering
    # the day and the place, said once (by "your next gathering", first in the message)
    assert monday[0].text.count("Når: tirsdag 9. februar 2027, kl. 09:00–15:00") == 1
    assert monday[0].text.count("Hvor: Scandic Ishavshotel, Tromsø") == 1
    assert "Dette skal du gjøre" not in gathering


async def test_the_message_says_what_is_still_open_when_it_is_sent(harness: Harness) -> None:
    """Kari keeps London time: her Monday message leaves at 09:00 there (10:00 in Oslo),
    after she answered both questions at 09:30 Oslo time: it does not ask for them."""
    kari = await harness.person_id(KARI)
    async with unit(harness.app.db) as store:
        await store.update_person(kari, timezone="Europe/London")
    rec = record(harness)
    await harness.advance(timedelta(hours=21, minutes=30))  # Monday 11 January, 09:30 Oslo
    assert on(rec.of(KARI), date(2027, 1, 11)) == []
    for _ in range(2):
        await harness.say(KARI, "svar")
        await harness.say(KARI, "Et svar.")
    await harness.advance(timedelta(hours=1))
    opening = [r for r in on(rec.of(KARI), date(2027, 1, 11)) if "Forarbeid – " in r.text]
    assert len(opening) == 1
    assert f"{opening[0].at.astimezone(ZoneInfo('Europe/London')):%H:%M}" == "09:00"
    assert "Din erfaring" not in opening[0].text  # answered: not listed again
    assert "Skriv «svar»" not in opening[0].text  # no question left to answer
    assert "Gruppeoppgave i ledergruppen" in opening[0].text  # still to do


async def test_a_leader_in_helsinki_gets_nine_oclock_on_their_own_clock(harness: Harness) -> None:
    kari = await harness.person_id(KARI)
    async with unit(harness.app.db) as store:
        await store.update_person(kari, timezone="Europe/Helsinki")
    rec = record(harness)
    await harness.advance(timedelta(days=1))
    first = rec.of(KARI)[0]
    assert f"{first.at.astimezone(ZoneInfo('Europe/Helsinki')):%a %H:%M}" == "Mon 09:00"
    assert f"{rec.of('ola.bakken')[0].at:%H:%M}" == "09:00"  # Oslo time for the others


async def test_roles_decide_what_is_tracked(harness: Harness) -> None:
    now = harness.clock.now()
    async with unit(harness.app.db) as store:
        per = await store.add_person(
            name="Per Koordinator",
            cohort_id="demo",
            organisation="tromso",
            roles=[Role.COORDINATOR],
            now=now,
        )
        await store.link_identity(per, "memory", "per", "per", now)
    rec = record(harness)
    await harness.advance(timedelta(days=15))  # Monday 25 January
    per_got = rec.of("per")
    assert per_got, "the coordinator gets the weekly overview"
    assert all(r.first_line.startswith("Ukeoversikt") for r in per_got)
    actions = [
        b.action
        for s in harness.transport.sent
        if s.address.chat_id == "per"
        for b in s.message.buttons
    ]
    assert not [a for a in actions if a.startswith(("done:", "reflect"))]
    await harness.say("per", "status")
    assert "Du har ingen frister akkurat nå." in harness.last("per")
    assert "Neste påminnelse: mandag 1. februar 2027" in harness.last("per")  # the overview
    assert "ikke gjort" not in harness.last("per")
    assert rec.of("emma.hansen") == []  # the organiser has nothing to do as a leader


async def test_no_digest_when_the_whole_organisation_is_done(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=1))  # Monday 11 January 12:00
    for _ in range(2):
        await harness.say(KARI, action="reflect")
        await harness.say(KARI, "Et svar.")
    await harness.say(KARI, action="done:kom-i-gang/forarbeid/gruppeoppgave")
    await harness.advance(timedelta(days=21))  # to Monday 1 February
    # Kari, the only other leader of Tromsø, is done: nothing for Ola to act on (his own
    # open work is his own reminders' business, not his overview's)
    ola = [r for r in rec.of("ola.bakken") if "Ukeoversikt" in r.text]
    assert ola == []
    assert any("Forarbeid" in r.text for r in rec.of("ola.bakken"))


async def test_status_shows_what_matters_now(harness: Harness) -> None:
    await harness.advance(timedelta(days=59))  # Wednesday 10 March: everything overdue
    await harness.say(KARI, "status")
    short = harness.last(KARI)
    assert "Fristen har gått ut for 2 deler du ikke er ferdig med." in short
    assert "Skriv «status mer» for å se alt." in short
    assert "ikke gjort ennå" not in short
    await harness.say(KARI, "status mer")
    full = harness.last(KARI)
    assert full.count("ikke gjort ennå") >= 4 and len(full) > len(short)


async def test_a_swedish_cohort_gets_one_message_a_day_in_swedish(database_url: str) -> None:
    """vb-2027 had three messages at once on 1 and 15 February (theme, labs, overview):
    now one a day, with Swedish quotation marks and no pre-work the programme lacks."""
    h = Harness(database_url, "vb-2027")
    await h.start()
    try:
        rec = record(h)
        await h.advance(timedelta(weeks=6))  # to the end of February
        days = [(r.chat, r.at.date()) for r in rec.log]
        assert len(days) == len(set(days)), "at most one planned message a person a day"
        assert {d for _c, d in days} >= {date(2027, 2, 1), date(2027, 2, 15)}
        texts = [r.text for r in rec.log]
        assert not [t for t in texts if "förarbete" in t.lower()]
        reflect = [t for t in texts if "”svara”" in t]
        assert reflect and not [t for t in texts if "«svara»" in t]
    finally:
        await h.stop()


async def test_an_imported_timezone_is_kept(harness: Harness, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(
        "name;email;organisation;role;locale;timezone\n"
        "Aino Test;aino.test@alta.example.org;alta;participant;nn;Europe/Helsinki\n",
        encoding="utf-8",
    )
    result = await harness.app.import_participants("demo", csv, platform="memory")
    assert result.added == 1
    async with unit(harness.app.db) as store:
        person = await store.person(await harness.person_id("aino.test"))
    assert person is not None and person.timezone == "Europe/Helsinki"


async def test_a_snooze_ends_at_nine_on_the_persons_own_clock(harness: Harness) -> None:
    kari = await harness.person_id(KARI)
    async with unit(harness.app.db) as store:
        await store.update_person(kari, timezone="Europe/Helsinki")
    await harness.advance(timedelta(days=1))  # Monday 11 January
    await harness.say(KARI, "utsett 1")
    assert "Påminnelsene venter til tirsdag 12. januar 2027 kl. 09:00." in harness.last(KARI)
    async with unit(harness.app.db) as store:
        person = await store.person(kari)
    assert person is not None and person.snoozed_until is not None
    helsinki = person.snoozed_until.astimezone(ZoneInfo("Europe/Helsinki"))
    assert f"{helsinki:%a %H:%M}" == "Tue 09:00"
