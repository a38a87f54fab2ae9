"""A cohort: one programme run on real dates, loaded from `schedules/`."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from bot.domain.buddy_policy import BuddyPolicy
from bot.domain.programme import SLUG, Strict
from bot.domain.text import Label


class OrgKind(StrEnum):
    MUNICIPALITY = "municipality"
    COUNTY = "county"
    REGION = "region"
    OTHER = "other"


class Organisation(Strict):
    id: str = Field(pattern=SLUG)
    name: str
    kind: OrgKind = OrgKind.MUNICIPALITY
    group: str | None = None  # the gathering group this organisation meets with
    size: int | None = Field(default=None, ge=1)  # inhabitants, for pairing buddies


class GatheringGroup(Strict):
    id: str = Field(pattern=SLUG)
    name: Label


class StageDates(Strict):
    opens: date
    due: date


class LabWindow(StageDates):
    """When the chosen labs are open and due; a lab may have its own dates inside the window
    (``dates`` by lab id), the others keep the window's."""

    dates: dict[str, StageDates] = Field(default_factory=dict)


class Gathering(Strict):
    group: str
    date: date
    start: time = time(9, 0)
    end: time = time(15, 0)
    place: Label


class ModuleSchedule(Strict):
    module: str
    stages: dict[str, StageDates]
    gatherings: list[Gathering] = Field(default_factory=list)


class EventKind(StrEnum):
    COORDINATOR_MEETING = "coordinator_meeting"
    LOCAL_MEETING = "local_meeting"
    OTHER = "other"


class Audience(Strict):
    """Who an event is for: everyone, one organisation, or one role (optionally both)."""

    organisation: str | None = None
    role: str | None = None


class Event(Strict):
    id: str = Field(pattern=SLUG)
    kind: EventKind
    title: Label
    date: date
    start: time = time(9, 0)
    end: time | None = None
    place: Label | None = None
    audience: Audience = Field(default_factory=Audience)


class ReminderPolicy(Strict):
    send_time: time = time(9, 0)
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    #: One reminder before the deadline, then the due day: the fewest that serve a deadline.
    before_due_days: list[int] = Field(default_factory=lambda: [3])
    overdue_after_days: int = Field(default=2, ge=1, le=60)
    skip_weekends: bool = True
    skip_holidays: bool = True
    digest_weekday: int | None = Field(default=0, ge=0, le=4)  # 0 = Monday; None: no digest
    #: A deadline on a weekend or holiday moves to the working day before it, everywhere
    #: (status, reminders); otherwise it stays and reminders name its real day.
    due_on_working_day: bool = False
    #: Work open for months (a lab window) is not left alone until its deadline: one
    #: reminder every so many weeks (never in July), to those with work still open.
    check_in_weeks: int | None = Field(default=6, ge=2, le=26)

    @model_validator(mode="after")
    def _send_time_outside_quiet_hours(self) -> ReminderPolicy:
        if self.in_quiet_hours(self.send_time):
            raise ValueError(
                f"send_time {self.send_time:%H:%M} falls in quiet hours "
                f"({self.quiet_start:%H:%M}-{self.quiet_end:%H:%M}); choose a time outside them"
            )
        return self

    def in_quiet_hours(self, moment: time) -> bool:
        if self.quiet_start > self.quiet_end:  # spans midnight, e.g. 20:00-08:00
            return moment >= self.quiet_start or moment < self.quiet_end
        return self.quiet_start <= moment < self.quiet_end


class Cohort(Strict):
    id: str = Field(pattern=SLUG)
    programme: str
    name: Label
    timezone: str
    country: str = Field(pattern=r"^(NO|SE)$")
    locale: str
    organisations: list[Organisation]
    gathering_groups: list[GatheringGroup] = Field(default_factory=list)
    modules: list[ModuleSchedule]
    events: list[Event] = Field(default_factory=list)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    max_labs: int = Field(default=0, ge=0, le=20)
    labs: LabWindow | None = None  # when the chosen labs are open and due
    participants: str | None = None  # a CSV file beside the schedule, for the demo and imports
    buddies: BuddyPolicy | None = None  # learning buddies: rounds made by the planner

    @model_validator(mode="after")
    def _timezone_exists(self) -> Cohort:
        try:
            ZoneInfo(self.timezone)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"unknown timezone {self.timezone!r}") from exc
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, day: date, at: time) -> datetime:
        """The aware moment ``at`` o'clock on ``day`` in the cohort's timezone (DST-correct)."""
        return datetime.combine(day, at, tzinfo=self.tz)

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def span(self) -> tuple[date, date] | None:
        """The first and the last day of the schedule: stages, gatherings, events, labs."""
        days = [d for m in self.modules for s in m.stages.values() for d in (s.opens, s.due)]
        days += [g.date for m in self.modules for g in m.gatherings]
        days += [e.date for e in self.events]
        if self.labs is not None:
            days += [self.labs.opens, self.labs.due]
            days += [d for own in self.labs.dates.values() for d in (own.opens, own.due)]
        return (min(days), max(days)) if days else None

    def schedule_for(self, module_id: str) -> ModuleSchedule | None:
        return next((m for m in self.modules if m.module == module_id), None)
