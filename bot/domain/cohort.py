"""A cohort: one programme run on real dates, loaded from `schedules/`."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from bot.domain.buddy_policy import BuddyPolicy
from bot.domain.people import Visibility
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
    #: the organisation's official name in other languages (``{se: Romssa suohkan}``);
    #: shown through ``organisation_name``, ``name`` where a language has none
    names: dict[str, str] = Field(default_factory=dict)
    size: int | None = Field(default=None, ge=1)  # inhabitants, for pairing buddies


class GatheringGroup(Strict):
    id: str = Field(pattern=SLUG)
    name: Label


class StageDates(Strict):
    """When a stage opens and is due. ``due`` may be given per gathering group
    (``due: {dag-1: 2027-02-08, dag-2: 2027-02-09}``) where the groups meet on different
    days: then ``due`` is the latest of them and ``due_by_group`` holds each group's own."""

    opens: date
    due: date
    due_by_group: dict[str, date] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _due_per_group(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("due"), dict):
            if "due_by_group" in data:
                raise ValueError("give due per group in due itself, not in due_by_group")
            by_group = {group: _day(group, day) for group, day in data["due"].items()}
            if not by_group:
                raise ValueError("due per group names no group; give a date or group: date")
            data = {**data, "due_by_group": by_group, "due": max(by_group.values())}
        return data

    def for_group(self, group: str | None) -> StageDates:
        """The dates as they are for people of ``group`` (the latest due for anyone else)."""
        own = self.due_by_group.get(group or "")
        if own is None:
            return self
        return self.model_copy(update={"due": own, "due_by_group": {}})


def _day(group: object, value: object) -> date:
    """One group's day in ``due: {group: day}``, as written in YAML (a date or a string)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"due for {group}: {value!r} is not a date; write YYYY-MM-DD") from None


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
    """Who an event is for: everyone, or those matching every part given: one organisation
    or several (``organisations``), one gathering group, one role."""

    organisation: str | None = None
    organisations: list[str] = Field(default_factory=list)
    group: str | None = None
    role: str | None = None

    def includes(self, organisation: str | None, group: str | None, roles: frozenset[str]) -> bool:
        """Whether a person of ``organisation`` (meeting with ``group``) with ``roles`` is in."""
        orgs = {*self.organisations, *([self.organisation] if self.organisation else [])}
        return (
            (not orgs or organisation in orgs)
            and (self.group is None or group == self.group)
            and (self.role is None or self.role in roles)
        )


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
    #: the cohort's round (pulje), e.g. ``{nb: "Pulje 1 – toppledere"}``; reports show it
    round: Label | None = None
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
    #: an anonymous quiz league: the top three as "a leader in <organisation>", never names
    quiz_league: bool = False
    #: who may read a new reflection until its author chooses (the reflection bank)
    bank_default: Visibility = Visibility.BUDDY
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

    def group_of(self, org_id: str | None) -> str | None:
        """The gathering group an organisation meets with."""
        org = self.organisation(org_id) if org_id else None
        return org.group if org else None

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


#: Languages an organisation may have an official name in: the interface languages and the
#: Sámi and Kven languages of Norway and Sweden (se North, smj Lule, sma South Sámi, fkv Kven,
#: fit Meänkieli, fi Finnish).
NAME_LOCALES: tuple[str, ...] = ("nb", "nn", "sv", "en", "se", "smj", "sma", "fkv", "fit", "fi")


def cohort_heading(cohort: Cohort, locale: str) -> str:
    """The cohort's name and, when the schedule names it, its round (pulje), as reports and
    exports head their pages: "Digital transformasjon i Troms og Finnmark, Pulje 1 – ..."."""
    name = _in(cohort.name, locale)
    return f"{name}, {_in(cohort.round, locale)}" if cohort.round else name


def _in(label: Any, locale: str) -> str:
    if isinstance(label, dict):
        return str(label.get(locale) or next(iter(label.values()), ""))
    return str(label)


def organisation_name(org: Organisation, locale: str) -> str:
    """The organisation's name as shown in ``locale``: its official name in that language if
    the schedule gives one, nynorsk and bokmål standing in for each other, else ``name``."""
    sibling = {"nb": "nn", "nn": "nb"}.get(locale)
    for candidate in (locale, sibling):
        if candidate and candidate in org.names:
            return org.names[candidate]
    return org.name


def organisation_label(
    org: Organisation, locales: tuple[str, ...] = NAME_LOCALES
) -> dict[str, str]:
    """The organisation's name per locale, for a message rendered later in the reader's."""
    return {locale: organisation_name(org, locale) for locale in locales}
