"""The reminder policy and its tools: the fewest messages that serve a deadline, a deadline
on a weekend said as its real day (or moved with ``due_on_working_day``), the preview's
per-person count, a person's own timezone in the participants file."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.curriculum.participants import parse_participants
from bot.domain.catalog import Catalog
from bot.domain.people import Person, Role
from bot.domain.planner import OccasionKind, occasions, person_moment
from bot.features.fanout import Audience
from bot.features.forecast import audience_from_rows, preview
from tests.helpers import Harness, shipped_catalog
from tests.reminder_support import cohort_catalog, record

KARI = "kari.nordvik"


def _weekend_catalog(due_on_working_day: bool) -> Catalog:
    """Forarbeid due on Sunday 7 February 2027."""
    catalog = cohort_catalog("helg", {"forarbeid": (date(2027, 1, 11), date(2027, 2, 7))})
    cohort = catalog.cohort("helg")
    policy = cohort.reminders.model_copy(update={"due_on_working_day": due_on_working_day})
    return Catalog(
        programmes=dict(catalog.programmes),
        cohorts={"helg": cohort.model_copy(update={"reminders": policy})},
    )


async def _friday_and_status(database_url: str, due_on_working_day: bool) -> tuple[str, str]:
    catalog = _weekend_catalog(due_on_working_day)
    cohort = catalog.cohort("helg")
    h = Harness(database_url, "helg", cohort.local(date(2027, 1, 10), time(12)), catalog)
    await h.start()
    try:
        rec = record(h)
        await h.advance(timedelta(days=26))  # Friday 5 February, 12:00
        friday = [r for r in rec.of(KARI) if r.at.date() == date(2027, 2, 5)]
        assert len(friday) == 1
        await h.say(KARI, "status")
        return friday[0].text, h.last(KARI)
    finally:
        await h.stop()


async def test_a_deadline_on_a_sunday_is_said_as_sunday(database_url: str) -> None:
    friday, status = await _friday_and_status(database_url, due_on_working_day=False)
    assert "Fristen er om 2 dager: søndag 7. februar 2027." in friday
    assert "I dag er fristen" not in friday
    assert "Frist: 7. februar 2027" in status


async def test_due_on_working_day_moves_the_deadline_to_friday(database_url: str) -> None:
    friday, status = await _friday_and_status(database_url, due_on_working_day=True)
    assert "I dag er fristen." in friday
    assert "Frist: 5. februar 2027" in status


def test_one_reminder_before_a_deadline_then_the_due_day() -> None:
    base = shipped_catalog()
    found = occasions(base.programme_of("demo"), base.cohort("demo"))
    forarbeid = [(o.kind, o.day) for o in found if o.stage == "forarbeid"]
    assert forarbeid == [
        (OccasionKind.STAGE_OPEN, date(2027, 1, 11)),
        (OccasionKind.BEFORE_DUE, date(2027, 2, 2)),
        (OccasionKind.DUE, date(2027, 2, 5)),
        (OccasionKind.OVERDUE, date(2027, 2, 8)),
    ]


def test_no_reminder_the_day_before_the_due_day() -> None:
    """A reminder that would land the day before the due-day message (or right after the
    opening) is left out: "1 day left" then "due today" teaches people to mute."""
    catalog = cohort_catalog("kort", {"forarbeid": (date(2027, 1, 11), date(2027, 1, 22))})
    cohort = catalog.cohort("kort")
    policy = cohort.reminders.model_copy(update={"before_due_days": [7, 1]})
    cohort = cohort.model_copy(update={"reminders": policy})
    kinds = [(o.kind, o.day) for o in occasions(catalog.programme_of("kort"), cohort)]
    before = [d for k, d in kinds if k == OccasionKind.BEFORE_DUE]
    assert before == [date(2027, 1, 15)]  # 7 days before; the 1-day one is dropped


def test_preview_counts_messages_per_person_and_week() -> None:
    base = shipped_catalog()
    cohort, programme = base.cohort("demo"), base.programme_of("demo")
    people = [("Kari", "tromso", frozenset({Role.PARTICIPANT}))]
    audience = audience_from_rows(cohort, programme, people)
    found = preview(audience, occasions(programme, cohort), date(2027, 2, 1), date(2027, 2, 14))
    # Monday 8 February holds three occasions for Kari (gathering tomorrow, overdue, the
    # gathering stage) but is one message
    assert sorted(found.per_week.values()) == [2, 2]
    assert found.messages == 4 and found.peak == 2


runner = CliRunner()


def test_preview_command_shows_the_weekly_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(
        app,
        ["schedule", "preview", "--cohort", "demo", "--from", "2027-01-01", "--to", "2027-03-31"],
    )
    assert result.exit_code == 0, result.output
    found = re.search(r"Per person and week: at most (\d+), median ([\d.]+)", result.output)
    assert found, result.output
    assert int(found.group(1)) == 3  # a coordinator's week of 1 February: overview, 3 days
    # left, due today; never more than one a day


def test_participants_may_name_their_own_timezone() -> None:
    cohort = shipped_catalog().cohort("demo")
    text = (
        "name;email;organisation;role;locale;timezone\n"
        "Aino Test;aino@example.org;tromso;participant;en;Europe/Helsinki\n"
        "Bo Test;bo@example.org;kiruna;participant;sv;\n"
    )
    rows, problems = parse_participants(text, cohort, "people.csv")
    assert problems == []
    assert [r.timezone for r in rows] == ["Europe/Helsinki", None]
    bad = text.replace("Europe/Helsinki", "Europe/Oulu")
    rows, problems = parse_participants(bad, cohort, "people.csv")
    assert rows == []
    assert [str(p) for p in problems] == [
        "people.csv: row 2.timezone: unknown timezone 'Europe/Oulu' "
        "(use an IANA name like Europe/Helsinki)"
    ]


def test_own_timezone_send_time_and_quiet_hours() -> None:
    cohort = shipped_catalog().cohort("demo")
    helsinki = person_moment(cohort, date(2027, 2, 2), "Europe/Helsinki")
    assert f"{helsinki.astimezone(cohort.tz):%H:%M}" == "08:00"  # 09:00 in Helsinki
    # 09:00 in New York is 15:00 in Oslo; the working day is still the cohort's
    new_york = person_moment(cohort, date(2027, 2, 2), "America/New_York")
    assert f"{new_york.astimezone(cohort.tz):%a %H:%M}" == "Tue 15:00"
    assert person_moment(cohort, date(2027, 2, 2), None) == cohort.local(date(2027, 2, 2), time(9))


def test_chosen_labs_are_reminded_through_the_lab_window() -> None:
    base = shipped_catalog()
    cohort, programme = base.cohort("vb-2027"), base.programme_of("vb-2027")
    labs = [o for o in occasions(programme, cohort) if o.module == "labs"]
    reminders = [o.day for o in labs if o.kind == OccasionKind.BEFORE_DUE]
    # not ten months of silence: every six weeks, none in the July holidays
    assert reminders == [
        date(2027, 3, 15),
        date(2027, 4, 26),
        date(2027, 6, 7),
        date(2027, 8, 30),
        date(2027, 10, 11),
        date(2027, 11, 23),
    ]
    march = next(o for o in labs if o.day == date(2027, 3, 15))
    chose = Person(1, "Erik", cohort.id, "umea", frozenset({Role.PARTICIPANT}), labs=("videobrev",))
    other = Person(2, "Maria", cohort.id, "umea", frozenset({Role.PARTICIPANT}))
    audience = Audience(cohort, programme, [chose, other], {}, {1: set(), 2: set()})
    part = audience.part(march, chose, march.day)
    assert part is not None and part.kind == OccasionKind.BEFORE_DUE
    assert audience.part(march, other, march.day) is None  # nothing chosen: nothing to chase
    done = {f"labs/chosen/{x}" for x in ("videobrev", "videobrev.reflection")}
    finished = Audience(cohort, programme, [chose], {}, {1: done})
    assert finished.part(march, chose, march.day) is None
