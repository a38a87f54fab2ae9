"""The planner: working days, holidays, DST, priorities, and its invariants (hypothesis)."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkCalendar
from bot.domain.planner import OccasionKind, occasions
from tests.helpers import shipped_catalog


def demo():  # type: ignore[no-untyped-def]
    catalog = shipped_catalog()
    return catalog.programme_of("demo"), catalog.cohort("demo")


def test_norwegian_and_swedish_holidays() -> None:
    no, se = WorkCalendar("NO"), WorkCalendar("SE")
    assert not no.is_working_day(date(2027, 5, 17))  # grunnlovsdag
    assert not no.is_working_day(date(2027, 3, 25))  # skjærtorsdag
    assert se.is_working_day(date(2027, 3, 25))  # not a holiday in Sweden
    assert not se.is_working_day(date(2027, 6, 25))  # midsommarafton (de facto)
    assert not se.is_working_day(date(2027, 12, 24)) and not no.is_working_day(date(2027, 12, 24))
    assert no.next_working_day(date(2027, 3, 24) + timedelta(days=1)) == date(2027, 3, 30)
    assert no.previous_working_day(date(2027, 2, 7)) == date(2027, 2, 5)


def test_demo_timeline() -> None:
    programme, cohort = demo()
    found = [(o.kind, o.day, o.stage or o.group or o.event) for o in occasions(programme, cohort)]
    assert (OccasionKind.STAGE_OPEN, date(2027, 1, 11), "forarbeid") in found
    # one reminder before the deadline (three days: Tuesday), then the due day
    assert (OccasionKind.BEFORE_DUE, date(2027, 2, 2), "forarbeid") in found
    assert [d for k, d, s in found if k == OccasionKind.BEFORE_DUE and s == "forarbeid"] == [
        date(2027, 2, 2)
    ]
    assert (OccasionKind.DUE, date(2027, 2, 5), "forarbeid") in found
    # overdue 2 days after Friday 5 Feb is Sunday: moved to Monday
    assert (OccasionKind.OVERDUE, date(2027, 2, 8), "forarbeid") in found
    # the gathering on Tuesday 9 Feb: logistics the working day before
    assert (OccasionKind.GATHERING_EVE, date(2027, 2, 8), "dag-1") in found
    # the samling stage has nothing to track: it opens, but no deadline reminders
    assert not any(k == OccasionKind.DUE and s == "samling" for k, _, s in found)


def test_send_time_is_local_across_dst() -> None:
    programme, cohort = demo()
    module = cohort.modules[0]
    stages = {
        "forarbeid": {"opens": date(2027, 3, 22), "due": date(2027, 4, 2)},
        "samling": {"opens": date(2027, 4, 5), "due": date(2027, 4, 6)},
        "etterarbeid": {"opens": date(2027, 4, 7), "due": date(2027, 4, 30)},
    }
    moved = cohort.model_copy(
        update={
            "modules": [
                module.model_copy(
                    update={
                        "stages": {
                            k: module.stages[k].model_copy(update=v) for k, v in stages.items()
                        },
                        "gatherings": [],
                    }
                )
            ],
            "events": [],
        }
    )
    found = occasions(programme, moved)
    oslo = ZoneInfo("Europe/Oslo")
    assert {o.send_at.astimezone(oslo).time() for o in found} == {time(9, 0)}
    offsets = {o.send_at.astimezone(oslo).utcoffset() for o in found}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # both sides of 28 March
    # Easter (25-29 March 2027) is skipped: "7 days before" 2 April falls on 26 March
    assert all(
        o.day not in {date(2027, 3, 25), date(2027, 3, 26), date(2027, 3, 29)} for o in found
    )


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 1)),
    length=st.integers(min_value=0, max_value=60),
    country=st.sampled_from(["NO", "SE"]),
)
def test_occasions_always_on_working_days_at_send_time(
    start: date, length: int, country: str
) -> None:
    programme, cohort = demo()
    module = cohort.modules[0]
    stages = {
        "forarbeid": {"opens": start, "due": start + timedelta(days=length)},
        "samling": {
            "opens": start + timedelta(days=length + 1),
            "due": start + timedelta(days=length + 2),
        },
        "etterarbeid": {
            "opens": start + timedelta(days=length + 3),
            "due": start + timedelta(days=2 * length + 3),
        },
    }
    moved = cohort.model_copy(
        update={
            "country": country,
            "events": [],
            "modules": [
                module.model_copy(
                    update={
                        "gatherings": [],
                        "stages": {
                            k: module.stages[k].model_copy(update=v) for k, v in stages.items()
                        },
                    }
                )
            ],
        }
    )
    found = occasions(programme, moved)
    calendar = WorkCalendar(country)
    policy = moved.reminders
    for occasion in found:
        local = occasion.send_at.astimezone(moved.tz)
        assert calendar.is_working_day(local.date())
        assert local.time() == policy.send_time
        assert not policy.in_quiet_hours(local.time())
    keys = [o.key for o in found]
    assert len(keys) == len(set(keys))
    assert [o.send_at for o in found] == sorted(o.send_at for o in found)
