"""After downtime: a little late is sent marked late; long gone collapses into one
"what you missed" per person; nothing goes out in quiet hours."""

from __future__ import annotations

from datetime import date, time, timedelta

from tests.helpers import Harness
from tests.reminder_support import record

LATE_NB = "(Denne meldingen kommer sent: Kompis var ikke i gang da den skulle sendes.)"


async def test_short_downtime_sends_marked_late(harness: Harness) -> None:
    await harness.app.tick()  # Sunday 10 January 12:00: the planner has run once
    rec = record(harness)
    # down from Sunday until Monday 14:00: the 09:00 stage opening is 5 hours late
    harness.clock.set(harness.cohort.local(date(2027, 1, 11), time(14, 0)))
    await harness.app.tick()
    kari = rec.of("kari.nordvik")
    assert len(kari) == 1
    assert kari[0].text.startswith(LATE_NB)
    assert "Forarbeid – Hva er digital transformasjon?" in kari[0].text
    assert f"{kari[0].at:%H:%M}" == "14:00"
    assert rec.of("anna.lindqvist")[-1].text.startswith("(Det här meddelandet kommer sent")


async def test_long_downtime_gives_one_what_you_missed_per_person(harness: Harness) -> None:
    await harness.app.tick()
    rec = record(harness)
    # down for more than three weeks, back on Tuesday 2 February at 10:00
    harness.clock.set(harness.cohort.local(date(2027, 2, 2), time(10, 0)))
    await harness.app.tick()
    by_person: dict[str, list[str]] = {}
    for r in rec.log:
        by_person.setdefault(r.chat, []).append(r.text)
    assert set(by_person) == {
        "kari.nordvik",
        "ola.bakken",
        "siri.haugen",
        "anna.lindqvist",
        "johan.berglund",
    }
    assert all(len(texts) == 1 for texts in by_person.values()), by_person
    # what was missed, then today's reminder (one hour late) in the same message
    assert by_person["kari.nordvik"][0].splitlines()[:9] == [
        "Kompis var ute av drift en stund, så du gikk glipp av noen påminnelser:",
        "",
        "- Forarbeid – Hva er digital transformasjon? (åpnet)",
        "",
        "Skriv «status» for å se hva som har frist nå.",
        "",
        "Forarbeid – Hva er digital transformasjon?",
        "",
        "Fristen er om 3 dager: fredag 5. februar 2027.",
    ]
    assert by_person["siri.haugen"][0].startswith("Kompis var ute av drift ei stund")
    assert by_person["anna.lindqvist"][0].startswith("Kompis var ur drift en stund")
    # and nothing more comes of the missed occasions later
    await harness.advance(timedelta(hours=1))
    assert sum(len(v) for v in by_person.values()) == len(rec.log)


async def test_catch_up_at_night_waits_for_the_morning(harness: Harness) -> None:
    await harness.app.tick()
    rec = record(harness)
    harness.clock.set(harness.cohort.local(date(2027, 1, 14), time(23, 0)))  # Thursday night
    await harness.app.tick()
    assert rec.log == []
    await harness.advance(timedelta(hours=10))  # Friday 09:00
    kari = rec.of("kari.nordvik")
    assert [f"{r.at:%a %H:%M}" for r in kari] == ["Fri 08:00"]
    assert kari[0].text.startswith("Kompis var ute av drift")
    assert all(f"{r.at:%H:%M}" == "08:00" for r in rec.log)
