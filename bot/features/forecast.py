"""Looking ahead without queueing anything: when a person's next message comes (for their
``status``) and what the cohort will receive (``kompis schedule preview``), through the same
fan-out the planner uses."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.cohort import Cohort
from bot.domain.people import Person, Role
from bot.domain.planner import Occasion, OccasionKind, person_moment, release_moment
from bot.domain.programme import Programme
from bot.features.fanout import Audience


def held_moment(cohort: Cohort, person: Person, moment: datetime) -> datetime | None:
    """When a message planned for ``moment`` reaches ``person``: later if they snoozed,
    never if they paused (paused reminders are skipped, not postponed)."""
    if person.paused_until and person.paused_until > moment:
        return None
    if person.snoozed_until and person.snoozed_until > moment:
        return release_moment(cohort, person.snoozed_until)
    return moment


def next_reminder(
    audience: Audience, person: Person, items: Iterable[Occasion], now: datetime
) -> datetime | None:
    """When ``person`` gets their next planned message, as things stand."""
    for occasion in items:
        moment = person_moment(audience.cohort, occasion.day, person.timezone)
        if moment <= now or audience.part(occasion, person, occasion.day) is None:
            continue
        at = held_moment(audience.cohort, person, moment)
        if at is not None:
            return at
    return None


@dataclass(frozen=True)
class PreviewRow:
    day: date  # local day the messages go out
    kind: str
    what: str  # module/stage, gathering group or event id
    people: int


@dataclass
class Preview:
    """What goes out, by day and type, and how many messages each person gets a week."""

    rows: list[PreviewRow] = field(default_factory=list)
    per_week: Counter[tuple[int, tuple[int, int]]] = field(default_factory=Counter)

    @property
    def messages(self) -> int:
        return sum(self.per_week.values())

    @property
    def peak(self) -> int:
        """The most messages one person gets in one week."""
        return max(self.per_week.values(), default=0)

    @property
    def median(self) -> float:
        """The median over the weeks in which a person gets anything."""
        return statistics.median(self.per_week.values()) if self.per_week else 0


def preview(audience: Audience, items: Iterable[Occasion], first: date, last: date) -> Preview:
    """What would go out between ``first`` and ``last`` (local days, inclusive), through
    the same fan-out as real planning, without queueing anything. Each person gets at most
    one message a day, however many occasions it holds."""
    result = Preview()
    days: set[tuple[int, date]] = set()
    for occasion in items:
        if not first <= occasion.day <= last:
            continue
        people = 0
        for _o, person, _part in audience.fan_out([occasion]):
            moment = person_moment(audience.cohort, occasion.day, person.timezone)
            if held_moment(audience.cohort, person, moment) is None:
                continue  # paused then
            people += 1
            if (person.id, occasion.day) not in days:
                days.add((person.id, occasion.day))
                result.per_week[(person.id, occasion.day.isocalendar()[:2])] += 1
        if people:
            result.rows.append(PreviewRow(occasion.day, occasion.kind, _what(occasion), people))
    return result


def _what(occasion: Occasion) -> str:
    what = "/".join(p for p in (occasion.module, occasion.stage) if p and p != "-")
    what = what or occasion.event or ""
    if occasion.group:
        what = f"{what} ({occasion.group})"
    if occasion.kind == OccasionKind.BEFORE_DUE and occasion.days_left is not None:
        unit = "day" if occasion.days_left == 1 else "days"
        what = f"{what}, {occasion.days_left} {unit} left"
    return what


def audience_from_rows(
    cohort: Cohort, programme: Programme, rows: Iterable[tuple[str, str, frozenset[Role]]]
) -> Audience:
    """An audience from a participants list (name, organisation, roles), nobody done yet: the
    preview's source before anyone is imported."""
    people = [
        Person(index, name, cohort.id, org or None, roles)
        for index, (name, org, roles) in enumerate(rows, start=1)
    ]
    groups = {o.id: o.group for o in cohort.organisations}
    return Audience(cohort, programme, people, groups, {p.id: set() for p in people})
