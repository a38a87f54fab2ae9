"""People control their reminders: snooze, pause until a date, resume, and status says so."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.features.commands import parse_text
from bot.features.control import parse_day, snooze_days
from tests.helpers import Harness
from tests.reminder_support import record


async def test_snooze_tomorrow_holds_reminders_until_it_ends(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=19))  # Friday 29 January, 12:00
    await harness.say("kari.nordvik", "utsett")
    assert "Når vil du ha påminnelsene igjen?" in harness.last("kari.nordvik")
    await harness.say("kari.nordvik", action="snooze:3")  # Friday + 3 days = Monday
    assert "Greit. Påminnelsene venter til mandag 1. februar 2027 kl. 09:00." in harness.last(
        "kari.nordvik"
    )
    await harness.say("kari.nordvik", "status")
    assert "Påminnelsene venter til mandag 1. februar 2027 kl. 09:00." in harness.last(
        "kari.nordvik"
    )
    await harness.advance(timedelta(days=7))
    reminders = [
        r for r in rec.of("kari.nordvik") if "Fristen er" in r.text or "I dag er" in r.text
    ]
    assert [f"{r.at:%a %d %H:%M}" for r in reminders] == [
        "Tue 02 09:00",  # the snooze had ended; nothing was due while it ran
        "Fri 05 09:00",
    ]


async def test_reminder_due_while_snoozed_goes_out_when_it_ends(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=24, hours=20))  # Thursday 4 February, 08:00
    await harness.say("ola.bakken", "snooze 1")  # until Friday 09:00: the due-day time
    await harness.say("kari.nordvik", "skjut upp 3")  # Swedish words work for everyone
    assert "mandag 8. februar 2027 kl. 09:00" in harness.last("kari.nordvik")
    await harness.advance(timedelta(days=6))
    kari = [f"{r.at:%a %d %H:%M} {r.first_line[:22]}" for r in rec.of("kari.nordvik")[-2:]]
    assert kari == [
        "Thu 04 08:00 Greit. Påminnelsene ve",
        # the due-day reminder (Friday) waited for the snooze to end, in one message
        "Mon 08 09:00 Neste samling: Hva er ",
    ]
    # Ola's snooze ended at the due-day moment: his reminder came on time
    ola = [r for r in rec.of("ola.bakken") if r.at.date().isoformat() == "2027-02-05"]
    assert [f"{r.at:%H:%M}" for r in ola] == ["09:00"] and "I dag er fristen." in ola[0].text


async def test_pause_skips_and_resume_restores(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=1, hours=3))  # Monday 11 January, 15:00
    await harness.say("siri.haugen", "pause 8.2.")
    assert "Påminningane har pause. Du får dei att frå måndag 8. februar 2027." in harness.last(
        "siri.haugen"
    )
    await harness.say("siri.haugen", "status")
    assert "Påminningane har pause" in harness.last("siri.haugen")
    assert "Neste påminning: måndag 8. februar 2027 kl. 09:00." in harness.last("siri.haugen")
    before = len(rec.of("siri.haugen"))
    await harness.advance(timedelta(days=26))  # to Saturday 6 February: all skipped
    assert len(rec.of("siri.haugen")) == before
    await harness.say("siri.haugen", "fortset")
    assert "Påminningane er slått på att." in harness.last("siri.haugen")
    await harness.say("siri.haugen", "fortset")
    assert "Påminningane dine er alt på." in harness.last("siri.haugen")
    await harness.advance(timedelta(days=2))  # Monday 8 February, 15:00
    assert any("Neste samling" in t for t in harness.texts("siri.haugen")[-4:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pause 32.13.", "Jeg forsto ikke datoen «32.13.»."),
        ("pause 2020-01-01", "Den datoen har vært."),
        ("pause 2029-01-01", "Du kan ha pause i høyst ett år."),
        ("pause", "Hvor lenge vil du sette påminnelsene på pause?"),
        ("pause neste uke", "Jeg forsto ikke datoen «neste uke»."),
    ],
)
async def test_bad_pause_dates_get_a_clear_message(
    harness: Harness, text: str, expected: str
) -> None:
    await harness.say("kari.nordvik", text)
    assert expected in harness.last("kari.nordvik")
    assert "«pause 3.8.» eller «pause 2027-08-03»" in harness.last("kari.nordvik")


async def test_swedish_pause_and_unknown_snooze(harness: Harness) -> None:
    await harness.say("anna.lindqvist", "pausa till 2027-02-01")
    assert "Påminnelserna är pausade. Du får dem igen från måndag 1 februari 2027." in (
        harness.last("anna.lindqvist")
    )
    await harness.say("anna.lindqvist", "snooza nästa vecka")
    assert "Jag förstod inte ”nästa vecka”." in harness.last("anna.lindqvist")
    await harness.say("anna.lindqvist", "hjälp")
    assert "- skjut upp:" in harness.last("anna.lindqvist")


def test_command_words() -> None:
    for word in ("snooze", "utsett", "utset", "snooza", "skjut"):
        assert parse_text(f"{word} 3") is not None
        assert parse_text(f"{word} 3").name == "snooze"  # type: ignore[union-attr]
    for word in ("pause", "pausa"):
        assert parse_text(word).name == "pause"  # type: ignore[union-attr]
    for word in ("resume", "fortsett", "fortset", "fortsätt"):
        assert parse_text(word).name == "resume"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("argument", "days"),
    [
        ("", 0),
        ("1", 1),
        ("i morgen", 1),
        ("i morgon", 1),
        ("tomorrow", 1),
        ("3", 3),
        ("3 dager", 3),
        ("upp 3 dagar", 3),
        ("99", None),
        ("snart", None),
    ],
)
def test_snooze_arguments(argument: str, days: int | None) -> None:
    assert snooze_days(argument) == days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-08-03", date(2027, 8, 3)),
        ("3.8.", date(2027, 8, 3)),
        ("3.8", date(2027, 8, 3)),
        ("3.8.2028", date(2028, 8, 3)),
        ("1.1.", date(2028, 1, 1)),
        ("31.2.", None),
        ("2027-13-01", None),
        ("i morgen", None),
    ],
)
def test_pause_dates(text: str, expected: date | None) -> None:
    assert parse_day(text, date(2027, 6, 1)) == expected
