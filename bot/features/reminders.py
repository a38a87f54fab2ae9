"""Reminder fan-out: occasions from the planner, to the people who still need them.

``plan`` is safe to run at any time and any number of times: each person's copy of an
occasion has a fixed outbox key, and a per-cohort watermark remembers how far planning got.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Person, Role
from bot.domain.planner import (
    Occasion,
    OccasionKind,
    due_between,
    occasions,
    release_moment,
    split_by_grace,
)
from bot.domain.ports import StorePort
from bot.domain.programme import LABS_MODULE, Programme
from bot.domain.progress import StageStatus, stage_status, stage_statuses
from bot.features.views import stage_params, work_buttons
from bot.rendering.i18n import N_

STAGE_KINDS = {
    OccasionKind.STAGE_OPEN,
    OccasionKind.BEFORE_DUE,
    OccasionKind.DUE,
    OccasionKind.OVERDUE,
}
#: A reminder sent later than this after its moment says so ("sent late").
LATE_AFTER = timedelta(hours=1)


class Reminders:
    def __init__(
        self,
        catalog: Catalog,
        first_plan_lookback: timedelta = timedelta(hours=6),
        late_grace: timedelta = timedelta(hours=6),
    ):
        self.catalog = catalog
        self.lookback = first_plan_lookback
        self.grace = late_grace
        self._occasions: dict[str, list[Occasion]] = {}

    def occasions(self, cohort_id: str) -> list[Occasion]:
        if cohort_id not in self._occasions:
            cohort = self.catalog.cohort(cohort_id)
            self._occasions[cohort_id] = occasions(self.catalog.programme_of(cohort_id), cohort)
        return self._occasions[cohort_id]

    def next_moment(self, after: datetime) -> datetime | None:
        """The first occasion of any cohort after ``after`` (for the demo's clock)."""
        moments = [
            o.send_at
            for cid in self.catalog.cohorts
            for o in self.occasions(cid)
            if o.send_at > after
        ]
        return min(moments, default=None)

    async def plan(self, store: StorePort, now: datetime) -> int:
        """Queue every reminder due up to ``now``; returns how many were new."""
        added = 0
        for cohort_id in self.catalog.cohorts:
            added += await self.plan_cohort(store, cohort_id, now)
        return added

    async def plan_cohort(self, store: StorePort, cohort_id: str, now: datetime) -> int:
        watermark = await store.planned_until(cohort_id)
        last = watermark or now - self.lookback
        due = due_between(self.occasions(cohort_id), last, now)
        if not due and watermark is not None:
            return 0  # nothing new: leave the watermark, save a write per cohort per tick
        added = 0
        if due:
            cohort = self.catalog.cohort(cohort_id)
            audience = await Audience.load(store, self.catalog, cohort_id)
            recent, stale = split_by_grace(due, now, self.grace)
            batches: dict[tuple[datetime, bool], list[Outgoing]] = {}
            for occasion, item in audience.fan_out(recent, now):
                person = audience.person(item.person_id)
                at = max(now, occasion.send_at)
                if person.snoozed_until and person.snoozed_until > at:
                    at = person.snoozed_until
                late = bool(item.params.get("late"))
                batches.setdefault((release_moment(cohort, at), late), []).append(item)
            for item in audience.missed(stale, now):
                person = audience.person(item.person_id)
                at = now
                if person.snoozed_until and person.snoozed_until > at:
                    at = person.snoozed_until
                batches.setdefault((release_moment(cohort, at), False), []).append(item)
            for (not_before, late), items in sorted(batches.items()):
                added += await store.enqueue(items, now, not_before=not_before, late=late)
        await store.set_planned_until(cohort_id, now)
        return added


@dataclass
class Audience:
    """Everything fan-out needs about a cohort's people, read once per planning pass: the same
    code answers the real planner and ``kompis schedule preview`` (no second implementation)."""

    cohort: Cohort
    programme: Programme
    people: list[Person]
    groups: dict[str, str | None]
    done: dict[int, set[str]]
    unreachable: set[int] = field(default_factory=set)  # people no platform can reach
    _by_id: dict[int, Person] = field(default_factory=dict, repr=False)

    @classmethod
    async def load(cls, store: StorePort, catalog: Catalog, cohort_id: str) -> Audience:
        people = await store.people_in_cohort(cohort_id)
        return cls(
            catalog.cohort(cohort_id),
            catalog.programme_of(cohort_id),
            people,
            await store.organisation_groups(cohort_id),
            await store.completed(p.id for p in people),
            {u.person_id for u in await store.unreachable_people(cohort_id)},
        )

    @classmethod
    async def of_one(cls, store: StorePort, catalog: Catalog, person: Person) -> Audience:
        """An audience of one person (for their own status), without reading the cohort."""
        done = await store.completed([person.id])
        return cls(
            catalog.cohort(person.cohort_id),
            catalog.programme_of(person.cohort_id),
            [person],
            await store.organisation_groups(person.cohort_id),
            done,
        )

    def person(self, person_id: int | None) -> Person:
        if len(self._by_id) != len(self.people):
            self._by_id = {p.id: p for p in self.people}
        return self._by_id[person_id or 0]

    def fan_out(
        self, items: Iterable[Occasion], now: datetime
    ) -> Iterator[tuple[Occasion, Outgoing]]:
        """Each person's copy of each occasion, for those who still need it."""
        for occasion in items:
            for person in self.people:
                item = self.for_person(occasion, person, now)
                if item is not None:
                    yield occasion, item

    def for_person(self, occasion: Occasion, person: Person, now: datetime) -> Outgoing | None:
        if occasion.kind == OccasionKind.DIGEST:
            if person.paused_until and person.paused_until > occasion.send_at:
                return None
            return self._digest(occasion, person, now)
        return _for_person(
            occasion,
            person,
            self.cohort,
            self.programme,
            self.groups,
            self.done.get(person.id, set()),
            now,
        )

    def missed(self, stale: list[Occasion], now: datetime) -> list[Outgoing]:
        """One "what you missed" message per person for occasions too old to send one by one."""
        per_person: dict[int, list[dict[str, Any]]] = {}
        # an old progress digest is worth nothing: the next one is at most a week away
        stale = [o for o in stale if o.kind != OccasionKind.DIGEST]
        for occasion, item in self.fan_out(stale, now):
            assert item.person_id is not None
            lines = per_person.setdefault(item.person_id, [])
            line = _missed_line(occasion, item)
            if line not in lines:
                lines.append(line)
        last = stale[-1].key if stale else "-"
        return [
            Outgoing(
                pid,
                "missed",
                {"items": lines, "tz": self.cohort.timezone},
                (Button(N_("Status"), "status"),),
                key=f"{self.cohort.id}:missed:{last}:{pid}",
                kind="reminder",
            )
            for pid, lines in per_person.items()
        ]

    def _digest(self, occasion: Occasion, person: Person, now: datetime) -> Outgoing | None:
        if not person.has(Role.COORDINATOR) or person.organisation is None:
            return None
        open_stages = [
            s
            for s in stage_statuses(self.programme, self.cohort, set())
            if s.opens <= occasion.day <= s.due and s.tracked
        ]
        refs = [a.ref for s in open_stages for a in s.tracked]
        if not refs:
            return None
        leaders = [
            {"name": p.name, "done": sum(r in self.done.get(p.id, set()) for r in refs)}
            for p in self.people
            if p.organisation == person.organisation and p.has(Role.PARTICIPANT)
        ]
        if not leaders:
            return None
        unreachable = sorted(
            p.name
            for p in self.people
            if p.id in self.unreachable
            and p.organisation == person.organisation
            and p.has(Role.PARTICIPANT)
        )
        return Outgoing(
            person.id,
            "digest",
            {
                "organisation": _org_name(self.cohort, person.organisation),
                "total": len(refs),
                "leaders": sorted(leaders, key=lambda x: (x["done"], x["name"])),
                "stages": [{"stage": s.stage.title, "module": s.module.title} for s in open_stages],
                "unreachable": unreachable,
                "late": now - occasion.send_at > LATE_AFTER,
            },
            (),
            key=f"{self.cohort.id}:{occasion.key}:{person.id}",
            kind="reminder",
        )


def _org_name(cohort: Cohort, org_id: str) -> str:
    org = cohort.organisation(org_id)
    return org.name if org else org_id


def _missed_line(occasion: Occasion, item: Outgoing) -> dict[str, Any]:
    """One line of "what you missed"; every deadline reminder of a stage reads the same, so
    several of them collapse into one line."""
    p = item.params
    kind = "deadline" if occasion.kind in STAGE_KINDS - {OccasionKind.STAGE_OPEN} else occasion.kind
    return {
        "kind": kind,
        "stage": p.get("stage"),
        "module": p.get("module"),
        "due": p.get("due"),
        "title": p.get("title"),
        "date": p.get("date"),
    }


def _for_person(
    occasion: Occasion,
    person: Person,
    cohort: Cohort,
    programme: Programme,
    groups: dict[str, str | None],
    done: set[str],
    now: datetime,
) -> Outgoing | None:
    if person.paused_until and person.paused_until > occasion.send_at:
        return None  # paused (holidays): skipped, not postponed
    params: dict[str, Any] = {
        "kind": occasion.kind,
        "tz": cohort.timezone,
        "late": now - occasion.send_at > LATE_AFTER,
        "days_left": occasion.days_left,
    }
    buttons: tuple[Button, ...] = ()
    if occasion.kind in STAGE_KINDS:
        if not person.has(Role.PARTICIPANT):
            return None
        if occasion.module == LABS_MODULE and not person.labs:
            if occasion.kind != OccasionKind.STAGE_OPEN or not cohort.max_labs:
                return None
            return Outgoing(
                person.id,
                "labs_invite",
                {
                    "labs": programme.labs_title,
                    "max": cohort.max_labs,
                    "due": occasion.due.isoformat() if occasion.due else None,
                    "late": params["late"],
                },
                (Button(N_("Choose labs"), "labs"),),
                key=f"{cohort.id}:{occasion.key}:{person.id}",
                kind="reminder",
            )
        status = _stage_status(programme, cohort, occasion, done, person.labs)
        if status is None or (status.tracked and status.complete):
            return None
        params |= stage_params(status)
        buttons = _stage_buttons(status)
        template = "stage_open" if occasion.kind == OccasionKind.STAGE_OPEN else "stage_due"
    elif occasion.kind == OccasionKind.GATHERING_EVE:
        if (
            not person.has(Role.PARTICIPANT)
            or groups.get(person.organisation or "") != occasion.group
        ):
            return None
        params |= _gathering_params(cohort, programme, occasion)
        template = "gathering_eve"
    elif occasion.kind == OccasionKind.EVENT_EVE:
        event = next((e for e in cohort.events if e.id == occasion.event), None)
        if (
            event is None
            or (occasion.role and Role(occasion.role) not in person.roles)
            or (occasion.organisation and occasion.organisation != person.organisation)
        ):
            return None
        params |= {
            "title": event.title,
            "date": event.date.isoformat(),
            "start": event.start.isoformat("minutes"),
            "end": event.end.isoformat("minutes") if event.end else None,
            "place": event.place,
            "event_kind": event.kind.value,
        }
        template = "event_eve"
    else:
        return None
    return Outgoing(
        person.id,
        template,
        params,
        buttons,
        key=f"{cohort.id}:{occasion.key}:{person.id}",
        kind="reminder",
    )


def _stage_status(
    programme: Programme,
    cohort: Cohort,
    occasion: Occasion,
    done: set[str],
    labs: tuple[str, ...],
) -> StageStatus | None:
    return stage_status(programme, cohort, occasion.module, occasion.stage, done, labs)


def _stage_buttons(status: StageStatus) -> tuple[Button, ...]:
    return (
        *work_buttons([status], done_limit=3),
        Button(N_("Remind me tomorrow"), "snooze:1"),
        Button(N_("Status"), "status"),
    )


def _gathering_params(cohort: Cohort, programme: Programme, occasion: Occasion) -> dict[str, Any]:
    sched = cohort.schedule_for(occasion.module)
    module = programme.module(occasion.module)
    gathering = next(g for g in sched.gatherings if g.group == occasion.group) if sched else None
    if gathering is None or module is None:
        return {}
    return {
        "module": module.title,
        "date": gathering.date.isoformat(),
        "start": gathering.start.isoformat("minutes"),
        "end": gathering.end.isoformat("minutes"),
        "place": gathering.place,
    }


def next_reminder(
    audience: Audience, person: Person, items: Iterable[Occasion], now: datetime
) -> datetime | None:
    """When ``person`` gets their next reminder, as things stand (snooze and pause included)."""
    for occasion in items:
        if occasion.send_at <= now or audience.for_person(occasion, person, now) is None:
            continue
        at = occasion.send_at
        if person.snoozed_until and person.snoozed_until > at:
            at = person.snoozed_until
        return release_moment(audience.cohort, at)
    return None


@dataclass(frozen=True)
class PreviewRow:
    day: date  # local day the messages go out
    kind: str
    what: str  # module/stage, gathering group or event id
    people: int


def preview(
    audience: Audience, items: Iterable[Occasion], first: date, last: date
) -> list[PreviewRow]:
    """What would go out between ``first`` and ``last`` (local days, inclusive), by day and
    type, through the same fan-out as real planning, without queueing anything."""
    rows: list[PreviewRow] = []
    for occasion in items:
        if not first <= occasion.day <= last:
            continue
        people = sum(1 for _ in audience.fan_out([occasion], occasion.send_at))
        if people:
            what = "/".join(p for p in (occasion.module, occasion.stage) if p and p != "-")
            what = what or occasion.event or ""
            if occasion.group:
                what = f"{what} ({occasion.group})"
            if occasion.kind == OccasionKind.BEFORE_DUE:
                what = f"{what}, {occasion.days_left} days left"
            rows.append(PreviewRow(occasion.day, occasion.kind, what, people))
    return rows


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
