"""Properties of deadlines per gathering group, for any days: the stage is due on the latest,
each group on its own; the planner gives every group its own deadline reminders, due-day
reminders on the group's own (working) day, with keys that never collide."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.cohort import StageDates
from bot.domain.planner import OccasionKind, calendar_for, occasions
from tests.helpers import shipped_catalog

GROUPS = ("dag-1", "dag-2", "dag-3")
OPENS = date(2027, 1, 11)
DAY_OFFSETS = st.lists(st.integers(3, 60), min_size=3, max_size=3)


@given(DAY_OFFSETS)
def test_each_group_is_due_on_its_own_day(offsets: list[int]) -> None:
    days = {g: OPENS + timedelta(days=n) for g, n in zip(GROUPS, offsets, strict=True)}
    dates = StageDates.model_validate(
        {"opens": OPENS, "due": {g: d.isoformat() for g, d in days.items()}}
    )
    assert dates.due == max(days.values())
    for group, day in days.items():
        assert dates.for_group(group).due == day
        assert dates.for_group(group).due_by_group == {}
    assert dates.for_group(None).due == max(days.values())


@settings(max_examples=25, deadline=None)
@given(DAY_OFFSETS)
def test_the_planner_reminds_each_group_on_its_own_deadline(offsets: list[int]) -> None:
    catalog = shipped_catalog()
    cohort = catalog.cohort("tf-2027")
    days = {g: OPENS + timedelta(days=n) for g, n in zip(GROUPS, offsets, strict=True)}
    sched = cohort.modules[0]
    stage = sched.stages["forarbeid"].model_copy(
        update={"due": max(days.values()), "due_by_group": days}
    )
    changed = sched.model_copy(update={"stages": {**sched.stages, "forarbeid": stage}})
    cohort = cohort.model_copy(update={"modules": [changed, *cohort.modules[1:]]})
    found = [
        o
        for o in occasions(catalog.programme_of("tf-2027"), cohort)
        if o.module == sched.module and o.stage == "forarbeid"
    ]
    cal = calendar_for(cohort)
    for group, day in days.items():
        mine = [o for o in found if o.group == group]
        assert {o.due for o in mine} == {day}
        due = [o.day for o in mine if o.kind == OccasionKind.DUE]
        assert due == [cal.previous_working_day(day)]
    assert len({o.key for o in found}) == len(found)
