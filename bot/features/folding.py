"""Planned messages that ride along in the message of the day: a buddy introduction and a
buddy check-in are planned too, and a person gets at most one planned message a day.

On a day with a message of the day, each goes into it as one more part (after the rest, with
its buttons), if its buttons fit; on a day without, it goes out on its own, unless a planned
message already went out that day: then it waits for the next working day's send time.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Person
from bot.domain.planner import person_moment
from bot.domain.ports import StorePort
from bot.features.parts import Part
from bot.features.reminders import DAILY

MISSED = "missed"
#: templates of planned messages that fold into the message of the day, and their kinds
FOLDED = frozenset({"buddy_intro", "buddy_checkin", "buddy_left_out"})
FOLDED_KINDS = ("buddy", "checkin")
#: every kind of planned message (what "a planned message went out today" counts)
PLANNED_KINDS = ("reminder", *FOLDED_KINDS)


class Row(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def person_id(self) -> int | None: ...
    @property
    def template(self) -> str: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def buttons(self) -> tuple[Button, ...]: ...
    @property
    def extras(self) -> dict[str, Any]: ...


class FoldStore(StorePort, Protocol):
    async def finish(
        self, outbox_id: int, status: str, now: datetime, error: str | None = None
    ) -> bool: ...


def is_folded(template: str, kind: str) -> bool:
    return template in FOLDED and kind in FOLDED_KINDS


def _zone(person: Person, catalog: Catalog) -> ZoneInfo:
    return ZoneInfo(person.timezone) if person.timezone else catalog.cohort(person.cohort_id).tz


def next_day(catalog: Catalog, person: Person, now: datetime) -> datetime:
    """The person's send time on the next working day."""
    tomorrow = now.astimezone(_zone(person, catalog)).date() + timedelta(days=1)
    return person_moment(catalog.cohort(person.cohort_id), tomorrow, person.timezone)


async def alone(store: FoldStore, catalog: Catalog, item: Row, now: datetime) -> Outgoing | None:
    """A folded row being sent on its own: None (and the row deferred) when the message of
    the day will take it along, or when a planned message already went out today."""
    plain = Outgoing(
        item.person_id,
        item.template,
        item.params,
        item.buttons,
        **Outgoing.extras_from(item.extras),
    )
    if item.person_id is None:
        return plain
    due = await store.queued_reminders(item.person_id, due_by=now)
    if any(row.template in (DAILY, MISSED) for row in due):
        await store.defer(item.id, now)  # the message of the day (being sent) takes it along
        return None
    person = await store.person(item.person_id, at=now)
    if person is None or person.cohort_id not in catalog.cohorts:
        return plain
    zone = _zone(person, catalog)
    start = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    if await store.planned_sent_since(person.id, start, PLANNED_KINDS):
        await store.defer(item.id, next_day(catalog, person, now))
        return None
    return plain


async def fold(
    store: FoldStore,
    catalog: Catalog,
    person: Person,
    parts: list[Part],
    room: int,
    into: int,
    now: datetime,
) -> list[Part]:
    """The folded rows due for the person, as parts after ``parts`` while their buttons fit
    in ``room``; each folded row is settled (merged into row ``into``) or, when it does not
    fit, deferred to the next working day."""
    rows = await store.queued_reminders(person.id, due_by=now, kinds=FOLDED_KINDS)
    found: list[Part] = []
    for row in rows:
        if row.template not in FOLDED:
            continue
        if len(row.buttons) > room:
            await store.defer(row.id, next_day(catalog, person, now))
            continue
        room -= len(row.buttons)
        found.append(
            Part("buddy", row.template, dict(row.params), tuple(row.buttons), f"fold:{row.id}")
        )
        await store.finish(row.id, "skipped", now, f"merged into outbox row {into}")
    return parts + found
