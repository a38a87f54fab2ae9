"""What the schedule asks for, and when: the cohort-level timeline of reminder occasions.

The planner is pure. It turns a programme and a cohort schedule into *occasions* (a stage
opens, a deadline nears, a gathering is tomorrow ...) each with an exact UTC send moment on a
working day at the cohort's local send time. Fanning an occasion out to the people who still
need it is the reminders feature's job; the outbox key of each person's copy is
``occasion.key + ":" + person`` so planning twice never sends twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkCalendar
from bot.domain.cohort import Cohort, Event
from bot.domain.programme import Programme
from bot.domain.progress import group_dates, scheduled_stages


class OccasionKind:
    STAGE_OPEN = "stage_open"
    BEFORE_DUE = "before_due"
    DUE = "due"
    OVERDUE = "overdue"
    GATHERING_EVE = "gathering_eve"
    EVENT_EVE = "event_eve"
    DIGEST = "digest"  # weekly, to coordinators, while a stage is open


#: When two reminders of one stage land on one day, the earlier kind in this list wins.
_PRIORITY = [
    OccasionKind.STAGE_OPEN,
    OccasionKind.DUE,
    OccasionKind.OVERDUE,
    OccasionKind.BEFORE_DUE,
]
#: A reminder before the deadline this close to the opening or the due-day message adds
#: nothing but noise ("1 day left" followed by "due today"): it is left out.
MIN_GAP_DAYS = 2


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

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields (kept in the outbox until the message is composed)."""
        return {
            k: v.isoformat() if isinstance(v, date) else v
            for k, v in asdict(self).items()
            if v is not None
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Occasion:
        values = dict(data)
        values["send_at"] = datetime.fromisoformat(values["send_at"])
        for name in ("day", "opens", "due"):
            if name in values:
                values[name] = date.fromisoformat(values[name])
        return cls(**values)


def calendar_for(cohort: Cohort) -> WorkCalendar:
    policy = cohort.reminders
    return WorkCalendar(cohort.country, policy.skip_weekends, policy.skip_holidays)


def occasions(programme: Programme, cohort: Cohort) -> list[Occasion]:
    """Every occasion of the cohort, sorted by send moment."""
    cal = calendar_for(cohort)
    found: list[Occasion] = []
    for module, stage, all_dates in scheduled_stages(programme, cohort):
        tracked = any(a.tracked for a in stage.activities)
        for group, dates in group_dates(cohort, all_dates):
            found.extend(
                _stage_occasions(
                    cohort, cal, module.id, stage.id, dates.opens, dates.due, tracked, group
                )
            )
    for sched in cohort.modules:
        for gathering in sched.gatherings:
            day = cal.previous_working_day(gathering.date - timedelta(days=1))
            found.append(
                Occasion(
                    OccasionKind.GATHERING_EVE,
                    _moment(cohort, day),
                    day,
                    sched.module,
                    group=gathering.group,
                )
            )
    for event in cohort.events:
        found.append(_event_eve(cohort, cal, event))
    found.extend(_digests(cohort, cal))
    return sorted(found, key=lambda o: (o.send_at, o.key))


def _stage_occasions(
    cohort: Cohort,
    cal: WorkCalendar,
    module: str,
    stage: str,
    opens: date,
    due: date,
    tracked: bool,
    group: str | None = None,
) -> list[Occasion]:
    policy = cohort.reminders
    open_day = cal.next_working_day(opens)
    wanted: list[tuple[str, date]] = [(OccasionKind.STAGE_OPEN, open_day)]
    if tracked:
        due_day = cal.previous_working_day(due)
        for days in sorted(set(policy.before_due_days), reverse=True):
            day = cal.next_working_day(due - timedelta(days=days))
            if (
                opens < day < due
                and (day - open_day).days >= MIN_GAP_DAYS
                and (due_day - day).days >= MIN_GAP_DAYS
            ):
                wanted.append((OccasionKind.BEFORE_DUE, day))
        wanted += [(OccasionKind.BEFORE_DUE, day) for day in _check_ins(cohort, cal, open_day, due)]
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
        Occasion(
            kind,
            _moment(cohort, day),
            day,
            module,
            stage=stage,
            opens=opens,
            due=due,
            group=group,
            days_left=(due - day).days,
        )
        for day, kind in sorted(by_day.items())
    ]


def _check_ins(cohort: Cohort, cal: WorkCalendar, open_day: date, due: date) -> list[date]:
    """Reminders every ``check_in_weeks`` through a long window, the last at least that long
    before the deadline (whose own reminders follow); none in July, the summer holidays."""
    weeks = cohort.reminders.check_in_weeks
    if weeks is None:
        return []
    step = timedelta(weeks=weeks)
    found = []
    day = open_day + step
    while day + step <= due:
        moved = cal.next_working_day(day)
        if moved.month != 7:
            found.append(moved)
        day += step
    return found


def _event_eve(cohort: Cohort, cal: WorkCalendar, event: Event) -> Occasion:
    day = cal.previous_working_day(event.date - timedelta(days=1))
    return Occasion(
        OccasionKind.EVENT_EVE,
        _moment(cohort, day),
        day,
        "-",
        event=event.id,
        role=event.audience.role,
        organisation=event.audience.organisation,
    )


def _digests(cohort: Cohort, cal: WorkCalendar) -> list[Occasion]:
    """One coordinator digest a week (the first working day of the week, usually Monday) while
    at least one stage of the cohort is open."""
    windows = [(d.opens, d.due) for m in cohort.modules for d in m.stages.values()]
    if not windows or cohort.reminders.digest_weekday is None:
        return []
    first = min(o for o, _ in windows)
    last = max(d for _, d in windows)
    monday = (
        first - timedelta(days=first.weekday()) + timedelta(days=cohort.reminders.digest_weekday)
    )
    found = []
    while monday <= last:
        day = cal.next_working_day(monday)
        if (
            any(o <= day <= d for o, d in windows)
            and day.isocalendar()[:2] == monday.isocalendar()[:2]
        ):
            found.append(
                Occasion(OccasionKind.DIGEST, _moment(cohort, day), day, "-", role="coordinator")
            )
        monday += timedelta(days=7)
    return found


def _moment(cohort: Cohort, day: date) -> datetime:
    """The cohort's send time on ``day``, local and DST-correct, as UTC."""
    return cohort.local(day, cohort.reminders.send_time).astimezone(UTC)


def person_moment(cohort: Cohort, day: date, timezone: str | None) -> datetime:
    """When a person gets the message of the cohort's local ``day``: the send time in their
    own timezone (the cohort's by default), never in quiet hours, as UTC."""
    tz = ZoneInfo(timezone) if timezone else cohort.tz
    at = datetime.combine(day, cohort.reminders.send_time, tzinfo=tz)
    return release_moment(cohort, at, tz)


def due_between(items: Iterable[Occasion], after: datetime, until: datetime) -> list[Occasion]:
    """Occasions whose send moment falls in ``(after, until]``."""
    return [o for o in items if after < o.send_at <= until]


def release_moment(cohort: Cohort, moment: datetime, tz: ZoneInfo | None = None) -> datetime:
    """The first moment at or after ``moment`` (aware) when a reminder may go out: outside
    quiet hours and on a working day. Inside quiet hours, or on a weekend or holiday, that is
    the end of quiet hours on the next working day (local time in ``tz``, the cohort's zone
    by default; DST-correct). The hours and the working days are the cohort's.
    """
    policy = cohort.reminders
    cal = calendar_for(cohort)
    zone = tz or cohort.tz
    local = moment.astimezone(zone)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if cal.is_working_day(day) and not policy.in_quiet_hours(at):
        return moment.astimezone(UTC)
    # Before the end of quiet hours (early morning): today counts; otherwise tomorrow.
    if not (policy.in_quiet_hours(at) and at < policy.quiet_end):
        day += timedelta(days=1)
    day = cal.next_working_day(day)
    return datetime.combine(day, policy.quiet_end, tzinfo=zone).astimezone(UTC)


def snooze_until(cohort: Cohort, now: datetime, days: int, timezone: str | None = None) -> datetime:
    """Where a snooze of ``days`` days ends: the send time ``days`` local days from now, on
    the person's own clock (``timezone``; the cohort's by default), on a working day."""
    tz = ZoneInfo(timezone) if timezone else cohort.tz
    cal = calendar_for(cohort)
    day = cal.next_working_day(now.astimezone(tz).date() + timedelta(days=days))
    return person_moment(cohort, day, timezone)


def pause_until(cohort: Cohort, day: date) -> datetime:
    """Reminders are paused up to the start of ``day`` (local midnight): they start again on it."""
    return cohort.local(day, time(0, 0)).astimezone(UTC)


def split_by_grace(
    items: Iterable[Occasion], now: datetime, grace: timedelta
) -> tuple[list[Occasion], list[Occasion]]:
    """After downtime: (recent, stale). Recent occasions, late by at most ``grace``, are still
    sent (marked late); stale ones collapse into one "what you missed" message per person."""
    recent: list[Occasion] = []
    stale: list[Occasion] = []
    for occasion in items:
        (recent if now - occasion.send_at <= grace else stale).append(occasion)
    return recent, stale
