"""Properties of the pure planner, for any schedule: every occasion goes out at the policy's
send time, local, on a working day, never in quiet hours; keys are unique; and the release
moment used for catch-up and snoozes never lands in quiet hours or on a day off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.domain.cohort import Cohort, ReminderPolicy
from bot.domain.planner import calendar_for, occasions, release_moment, snooze_until
from tests.reminder_support import cohort_catalog

ZONES = st.sampled_from([("Europe/Oslo", "NO"), ("Europe/Stockholm", "SE")])
DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def policies(draw: st.DrawFn) -> ReminderPolicy:
    quiet_start = time(draw(st.integers(17, 23)), draw(st.sampled_from([0, 30])))
    quiet_end = time(draw(st.integers(5, 9)), draw(st.sampled_from([0, 30])))
    send = time(
        draw(st.integers(quiet_end.hour + 1, quiet_start.hour - 1)),
        draw(st.sampled_from([0, 15, 45])),
    )
    return ReminderPolicy(
        send_time=send,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        before_due_days=draw(st.lists(st.integers(1, 14), max_size=3)),
        overdue_after_days=draw(st.integers(1, 10)),
    )


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[Cohort, list[tuple[date, date]]]:
    zone, country = draw(ZONES)
    stages = {}
    start = draw(DAYS)
    for stage in ("forarbeid", "samling", "etterarbeid"):
        opens = start + timedelta(days=draw(st.integers(0, 20)))
        due = opens + timedelta(days=draw(st.integers(0, 40)))
        stages[stage] = (opens, due)
        start = due
    catalog = cohort_catalog("prop", stages, timezone=zone, country=country)
    cohort = catalog.cohort("prop").model_copy(update={"reminders": draw(policies())})
    return cohort, list(stages.values())


PROGRAMME = cohort_catalog("prop", {}).programme_of("prop")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cohorts())
def test_every_occasion_on_a_working_day_at_send_time(
    case: tuple[Cohort, list[tuple[date, date]]],
) -> None:
    cohort, _ = case
    cal = calendar_for(cohort)
    found = occasions(PROGRAMME, cohort)
    assert found
    keys = [o.key for o in found]
    assert len(keys) == len(set(keys))
    for o in found:
        local = o.send_at.astimezone(cohort.tz)
        assert o.send_at.tzinfo is not None
        assert local.time() == cohort.reminders.send_time
        assert local.date() == o.day
        assert cal.is_working_day(o.day)
        assert not cohort.reminders.in_quiet_hours(local.time())
    assert [o.send_at for o in found] == sorted(o.send_at for o in found)


@FAST
@given(cohorts(), st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 1)))
def test_release_moment_is_never_quiet_nor_off(
    case: tuple[Cohort, list[tuple[date, date]]], naive: datetime
) -> None:
    cohort, _ = case
    moment = naive.replace(tzinfo=UTC)
    released = release_moment(cohort, moment)
    local = released.astimezone(cohort.tz)
    assert released >= moment
    assert released - moment < timedelta(days=10)
    assert calendar_for(cohort).is_working_day(local.date())
    assert not cohort.reminders.in_quiet_hours(local.time())
    assert release_moment(cohort, released) == released  # idempotent


@FAST
@given(
    cohorts(),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 1)),
    st.sampled_from([1, 3]),
)
def test_snooze_ends_at_send_time_on_a_later_working_day(
    case: tuple[Cohort, list[tuple[date, date]]], naive: datetime, days: int
) -> None:
    cohort, _ = case
    now = naive.replace(tzinfo=UTC)
    until = snooze_until(cohort, now, days).astimezone(cohort.tz)
    assert until.date() >= now.astimezone(cohort.tz).date() + timedelta(days=days)
    assert until.time() == cohort.reminders.send_time
    assert calendar_for(cohort).is_working_day(until.date())


def test_quiet_hours_release_examples() -> None:
    cohort = cohort_catalog("ex", {}).cohort("ex")
    oslo = cohort.tz
    # catch-up at 23:00 on a Thursday: Friday 08:00
    assert release_moment(cohort, datetime(2027, 1, 14, 23, 0, tzinfo=oslo)) == datetime(
        2027, 1, 15, 8, 0, tzinfo=oslo
    )
    # 23:00 on Friday: Monday 08:00
    assert release_moment(cohort, datetime(2027, 1, 15, 23, 0, tzinfo=oslo)) == datetime(
        2027, 1, 18, 8, 0, tzinfo=oslo
    )
    # 06:00 on a working day: the same day at 08:00
    assert release_moment(cohort, datetime(2027, 1, 14, 6, 0, tzinfo=oslo)) == datetime(
        2027, 1, 14, 8, 0, tzinfo=oslo
    )
    # Saturday noon before the DST change: Monday 29 March is 2. påskedag, so Tuesday 08:00 CEST
    assert release_moment(cohort, datetime(2027, 3, 27, 12, 0, tzinfo=oslo)) == datetime(
        2027, 3, 30, 8, 0, tzinfo=oslo
    )


def test_send_time_inside_quiet_hours_is_refused() -> None:
    with pytest.raises(ValidationError, match="quiet hours"):
        ReminderPolicy(send_time=time(21, 0))
