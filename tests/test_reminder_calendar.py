"""Small cohorts built in the test: Easter and the DST change of 28 March 2027 in Oslo, and
midsommarafton in Stockholm. Send time stays 09:00 local on both sides of the change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.planner import calendar_for, occasions
from tests.helpers import Harness
from tests.reminder_support import cohort_catalog, record


@pytest.fixture
async def easter(database_url: str) -> AsyncIterator[Harness]:
    catalog = cohort_catalog(
        "paske",
        {
            # opens on skjærtorsdag; Easter and the DST change (Sunday 28 March) follow
            "forarbeid": (date(2027, 3, 25), date(2027, 4, 9)),
        },
    )
    cohort = catalog.cohort("paske")
    h = Harness(database_url, "paske", cohort.local(date(2027, 3, 19), time(12)), catalog)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def test_easter_and_dst_in_oslo(easter: Harness) -> None:
    rec = record(easter)
    await easter.advance(timedelta(days=30))
    kari = rec.of("kari.nordvik")
    assert [(f"{r.at:%Y-%m-%d %H:%M %Z}", r.text.split("\n\n")[1]) for r in kari] == [
        # skjærtorsdag, langfredag, the weekend (DST) and 2. påskedag are skipped
        ("2027-03-30 09:00 CEST", "Nå kan du begynne. Frist: fredag 9. april 2027."),
        ("2027-04-06 09:00 CEST", "Fristen er om 3 dager: fredag 9. april 2027."),
        ("2027-04-09 09:00 CEST", "I dag er fristen."),
        (
            "2027-04-12 09:00 CEST",
            "Fristen var fredag 9. april 2027. Det er ikke for sent å bli ferdig.",
        ),
    ]
    assert all(r.first_line == "Forarbeid – Hva er digital transformasjon?" for r in kari)
    # the UTC moment moved by an hour with DST; the local time did not
    assert kari[0].at.astimezone(UTC).hour == 7
    assert {r.at.date() for r in rec.log}.isdisjoint(
        {date(2027, 3, d) for d in (25, 26, 27, 28, 29)}
    )


def test_send_time_both_sides_of_dst_october() -> None:
    catalog = cohort_catalog("host", {"forarbeid": (date(2027, 10, 25), date(2027, 11, 5))})
    cohort = catalog.cohort("host")
    found = occasions(catalog.programme_of("host"), cohort)
    before = [o for o in found if o.day < date(2027, 10, 31)]
    after = [o for o in found if o.day > date(2027, 10, 31)]
    assert before and after
    assert {o.send_at.astimezone(cohort.tz).time() for o in found} == {time(9)}
    assert {o.send_at.hour for o in before} == {7}  # CEST
    assert {o.send_at.hour for o in after} == {8}  # CET


async def test_midsommar_in_stockholm(database_url: str) -> None:
    catalog = cohort_catalog(
        "midsommar",
        {"forarbeid": (date(2027, 6, 21), date(2027, 6, 25))},  # due on midsommarafton
        timezone="Europe/Stockholm",
        country="SE",
        locale="sv",
    )
    cohort = catalog.cohort("midsommar")
    h = Harness(database_url, "midsommar", cohort.local(date(2027, 6, 18), time(12)), catalog)
    await h.start()
    try:
        rec = record(h)
        await h.advance(timedelta(days=14))
        received = rec.of("anna.lindqvist")
        anna = [(f"{r.at:%a %d %H:%M}", r.text.split("\n\n")[1]) for r in received]
        assert anna == [
            ("Mon 21 09:00", "Nu kan du börja. Sista dag: fredag 25 juni 2027."),
            # the due-day reminder moves forward from midsommarafton and says the real day
            ("Thu 24 09:00", "Sista dagen är i morgon, fredag 25 juni 2027."),
            (
                "Mon 28 09:00",
                "Sista dagen var fredag 25 juni 2027. Det är inte för sent att bli klar.",
            ),
        ]
        # Anna coordinates Kiruna, where she is the only leader: no overview of herself
        assert not any("Veckoöversikt" in r.text for r in received)
        assert all(r.at.date() != date(2027, 6, 25) for r in rec.log)
        assert all(
            r.at.tzinfo is not None and r.at.utcoffset() == timedelta(hours=2) for r in rec.log
        )
    finally:
        await h.stop()


def test_de_facto_holidays_are_not_working_days() -> None:
    se = calendar_for(
        cohort_catalog("se", {}, country="SE", timezone="Europe/Stockholm").cohort("se")
    )
    no = calendar_for(cohort_catalog("no", {}).cohort("no"))
    for cal in (se, no):
        assert not cal.is_working_day(date(2027, 12, 24))  # julafton / julaften (a Friday)
        assert not cal.is_working_day(date(2027, 12, 31))  # nyårsafton / nyttårsaften
    assert not se.is_working_day(date(2027, 6, 25))  # midsommarafton
    assert no.is_working_day(date(2027, 6, 25))
    assert not no.is_working_day(date(2027, 5, 17))  # grunnlovsdag
    assert se.next_working_day(date(2027, 12, 24)) == date(2027, 12, 27)
    assert datetime(2027, 12, 24).weekday() == 4
