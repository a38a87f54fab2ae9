"""What the schedule asks for, and when: the cohort-level timeline of reminder occasions.

The planner is pure. It turns a programme and a cohort schedule into *occasions* (a stage
opens, a deadline nears, a gathering is tomorrow ...) each with an exact UTC send moment on a
working day at the cohort's local send time. Fanning an occasion out to the people who still
need it is the reminders feature's job; the outbox key of each person's copy is
``occasion.key + ":" + person`` so planning twice never sends twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.calendar import WorkCalendar
from bot.domain.cohort import Cohort, Event
from bot.domain.programme import Programme


class OccasionKind:
    STAGE_OPEN = "stage_open"
    BEFORE_DUE = "before_due"
    DUE = "due"
    OVERDUE = "overdue"
    GATHERING_EVE = "gathering_eve"
    EVENT_EVE = "event_eve"


#: When two reminders of one stage land on one day, the earlier kind in this list wins.
_PRIORITY = [
    OccasionKind.STAGE_OPEN,
    OccasionKind.DUE,
    OccasionKind.OVERDUE,
    OccasionKind.BEFORE_DUE,
]


@dataclass(frozen=True)
class Occasion:
    kind: str
    send_at: datetime  # aware, UTC
    day: date  # the local day it is sent on
    module: str
    stage: str | None = None
    opens: date | None = None
    due: date | None = None
    group: str | None = None  # only people whose organisation meets with this gathering group
    event: str | None = None  # the schedule event id, for EVENT_EVE
    role: str | None = None  # only people with this role
    organisation: str | None = None  # only people of this organisation
    days_left: int | None = None

    @property
    def key(self) -> str:
        parts = [self.kind, self.module, self.stage or "-", self.group or self.event or "-"]
        return ":".join([*parts, self.day.isoformat()])


def calendar_for(cohort: Cohort) -> WorkCalendar:
    policy = cohort.reminders
    return WorkCalendar(cohort.country, policy.skip_weekends, policy.skip_holidays)


def occasions(programme: Programme, cohort: Cohort) -> list[Occasion]:
    """Every occasion of the cohort, sorted by send moment."""
    cal = calendar_for(cohort)
    found: list[Occasion] = []
    for sched in cohort.modules:
        module = programme.module(sched.module)
        if module is None:
            continue
        for stage in module.stages:
            dates = sched.stages.get(stage.id)
            if dates is None:
                continue
            tracked = any(a.tracked for a in stage.activities)
            found.extend(
                _stage_occasions(
                    cohort, cal, sched.module, stage.id, dates.opens, dates.due, tracked
                )
            )
        for gathering in sched.gatherings:
            day = cal.previous_working_day(gathering.date - timedelta(days=1))
            found.append(
                _at(cohort, OccasionKind.GATHERING_EVE, day, sched.module, group=gathering.group)
            )
    for event in cohort.events:
        found.append(_event_eve(cohort, cal, event))
    return sorted(found, key=lambda o: (o.send_at, o.key))


def _stage_occasions(
    cohort: Cohort,
    cal: WorkCalendar,
    module: str,
    stage: str,
    opens: date,
    due: date,
    tracked: bool,
) -> list[Occasion]:
    policy = cohort.reminders
    wanted: list[tuple[str, date]] = [(OccasionKind.STAGE_OPEN, cal.next_working_day(opens))]
    if tracked:
        for days in sorted(set(policy.before_due_days), reverse=True):
            day = cal.next_working_day(due - timedelta(days=days))
            if opens < day < due:
                wanted.append((OccasionKind.BEFORE_DUE, day))
        due_day = cal.previous_working_day(due)
        if due_day >= opens:
            wanted.append((OccasionKind.DUE, due_day))
        overdue = due + timedelta(days=policy.overdue_after_days)
        wanted.append((OccasionKind.OVERDUE, cal.next_working_day(overdue)))
    by_day: dict[date, str] = {}
    for kind, day in wanted:
        current = by_day.get(day)
        if current is None or _PRIORITY.index(kind) < _PRIORITY.index(current):
            by_day[day] = kind
    return [
        _at(
            cohort, kind, day, module, stage=stage, opens=opens, due=due, days_left=(due - day).days
        )
        for day, kind in sorted(by_day.items())
    ]


def _event_eve(cohort: Cohort, cal: WorkCalendar, event: Event) -> Occasion:
    day = cal.previous_working_day(event.date - timedelta(days=1))
    return _at(
        cohort,
        OccasionKind.EVENT_EVE,
        day,
        module="-",
        event=event.id,
        role=event.audience.role,
        organisation=event.audience.organisation,
    )


def _at(
    cohort: Cohort,
    kind: str,
    day: date,
    module: str,
    *,
    stage: str | None = None,
    opens: date | None = None,
    due: date | None = None,
    group: str | None = None,
    event: str | None = None,
    role: str | None = None,
    organisation: str | None = None,
    days_left: int | None = None,
) -> Occasion:
    send_at = cohort.local(day, cohort.reminders.send_time).astimezone(UTC)
    return Occasion(
        kind=kind,
        send_at=send_at,
        day=day,
        module=module,
        stage=stage,
        opens=opens,
        due=due,
        group=group,
        event=event,
        role=role,
        organisation=organisation,
        days_left=days_left,
    )


def due_between(items: Iterable[Occasion], after: datetime, until: datetime) -> list[Occasion]:
    """Occasions whose send moment falls in ``(after, until]``."""
    return [o for o in items if after < o.send_at <= until]
