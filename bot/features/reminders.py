"""Reminder fan-out: occasions from the planner, to the people who still need them.

``plan`` is safe to run at any time and any number of times: each person's copy of an
occasion has a fixed outbox key, and a per-cohort watermark remembers how far planning got.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Person, Role
from bot.domain.planner import Occasion, OccasionKind, due_between, occasions
from bot.domain.ports import StorePort
from bot.domain.programme import ActivityKind, Programme
from bot.domain.progress import StageStatus, stage_statuses
from bot.features.progress import done_buttons, stage_params
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
    def __init__(self, catalog: Catalog, first_plan_lookback: timedelta = timedelta(hours=6)):
        self.catalog = catalog
        self.lookback = first_plan_lookback
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
        last = await store.planned_until(cohort_id) or now - self.lookback
        due = due_between(self.occasions(cohort_id), last, now)
        added = 0
        if due:
            cohort = self.catalog.cohort(cohort_id)
            programme = self.catalog.programme_of(cohort_id)
            people = await store.people_in_cohort(cohort_id)
            groups = await store.organisation_groups(cohort_id)
            done = await store.completed(p.id for p in people)
            items = []
            for occasion in due:
                for person in people:
                    item = _for_person(
                        occasion, person, cohort, programme, groups, done[person.id], now
                    )
                    if item is not None:
                        items.append(item)
            added = await store.enqueue(items, now)
        await store.set_planned_until(cohort_id, now)
        return added


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
        return None
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
        status = _stage_status(programme, cohort, occasion, done)
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
    programme: Programme, cohort: Cohort, occasion: Occasion, done: set[str]
) -> StageStatus | None:
    return next(
        (
            s
            for s in stage_statuses(programme, cohort, done)
            if s.module.id == occasion.module and s.stage.id == occasion.stage
        ),
        None,
    )


def _stage_buttons(status: StageStatus) -> tuple[Button, ...]:
    buttons: tuple[Button, ...] = ()
    if any(a.activity.kind == ActivityKind.REFLECTION and not a.done for a in status.activities):
        buttons = (Button(N_("Answer a question"), "reflect"),)
    return (*buttons, *done_buttons([status])[:3], Button(N_("Status"), "status"))


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
