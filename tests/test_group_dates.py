"""Per-gathering-group deadlines on tf-2027: the three groups of a module meet on three days,
and each group's pre-work is due the day before its own gathering; reminders, status and the
preview follow the person's own group."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.people import Role
from bot.domain.planner import OccasionKind, occasions
from bot.features.forecast import audience_from_rows, preview
from tests.helpers import Harness, shipped_catalog
from tests.reminder_support import record

#: One leader from each gathering group (Tromsø: dag-1, Harstad: dag-2, Alta: dag-3).
LEADERS = {"per.olsen": "dag-1", "ola.strand": "dag-2", "rune.pettersen": "dag-3"}


async def test_three_groups_get_their_deadline_on_three_days(database_url: str) -> None:
    h = Harness(database_url, cohort="tf-2027")
    await h.start()
    try:
        rec = record(h)
        await h.advance(timedelta(days=34))  # 10 January to 13 February 2027
        due_days = {}
        for handle in LEADERS:
            pre_work = [r for r in rec.of(handle) if "Forarbeid – Organisasjon" in r.text]
            due = [r.at.date() for r in pre_work if "I dag er fristen." in r.text]
            due_days[handle] = due
            days = [r.at.date() for r in rec.of(handle)]
            assert len(days) == len(set(days)), f"{handle} got two messages on one day"
        assert due_days == {
            "per.olsen": [date(2027, 2, 8)],
            "ola.strand": [date(2027, 2, 9)],
            "rune.pettersen": [date(2027, 2, 10)],
        }
        # each opening message names the group's own deadline
        opening = {h_: rec.of(h_)[0].text for h_ in LEADERS}
        assert "Frist: mandag 8. februar 2027." in opening["per.olsen"]
        assert "Frist: tirsdag 9. februar 2027." in opening["ola.strand"]
        assert "Frist: onsdag 10. februar 2027." in opening["rune.pettersen"]
    finally:
        await h.stop()


async def test_status_shows_the_groups_own_deadline(database_url: str) -> None:
    h = Harness(database_url, cohort="tf-2027")
    await h.start()
    try:
        await h.advance(timedelta(days=2))  # Tuesday 12 January
        shown = {}
        for handle in LEADERS:
            await h.say(handle, "status")
            shown[handle] = [x for x in h.last(handle).splitlines() if x.startswith("Frist:")]
        assert shown == {
            "per.olsen": ["Frist: 8. februar 2027"],
            "ola.strand": ["Frist: 9. februar 2027"],
            "rune.pettersen": ["Frist: 10. februar 2027"],
        }
    finally:
        await h.stop()


def test_the_planner_gives_each_group_its_own_occasions() -> None:
    catalog = shipped_catalog()
    cohort = catalog.cohort("tf-2027")
    found = [
        o
        for o in occasions(catalog.programme_of("tf-2027"), cohort)
        if o.module == "organisasjon" and o.stage == "forarbeid" and o.kind == OccasionKind.DUE
    ]
    assert {(o.group, o.day) for o in found} == {
        (None, date(2027, 2, 10)),  # anyone whose organisation has no group of its own
        ("dag-1", date(2027, 2, 8)),
        ("dag-2", date(2027, 2, 9)),
        ("dag-3", date(2027, 2, 10)),
    }
    assert len({o.key for o in found}) == 4


def test_the_preview_counts_each_group_on_its_own_day() -> None:
    catalog = shipped_catalog()
    cohort, programme = catalog.cohort("tf-2027"), catalog.programme_of("tf-2027")
    leader = frozenset({Role.PARTICIPANT})
    rows = [("Per Olsen", "tromso", leader), ("Ola Strand", "harstad", leader)]
    rows += [("Rune Pettersen", "alta", leader), ("Tonje Halvorsen", "alta", leader)]
    audience = audience_from_rows(cohort, programme, rows)
    found = preview(audience, occasions(programme, cohort), date(2027, 2, 1), date(2027, 2, 12))
    due = [(r.day, r.what, r.people) for r in found.rows if r.kind == OccasionKind.DUE]
    assert due == [
        (date(2027, 2, 8), "organisasjon/forarbeid (dag-1)", 1),
        (date(2027, 2, 9), "organisasjon/forarbeid (dag-2)", 1),
        (date(2027, 2, 10), "organisasjon/forarbeid (dag-3)", 2),
    ]
