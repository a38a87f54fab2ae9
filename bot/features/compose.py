"""What a person receives, composed when it is sent.

A planned message holds which occasions it is for, not what it says. Just before sending,
the sender hands each reminder row to ``compose``, which reads the person's state *now*:
paused (skipped), snoozed (held until the snooze ends; ``resume`` releases it), their
progress (work done since planning is not asked for again), and every other reminder of
theirs due by now (merged in, so a person gets one message however many were held). Each
part says what is true on the day it arrives: a reminder held past its deadline reads as
overdue, not "today is the deadline".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Person
from bot.domain.planner import Occasion, OccasionKind, person_moment, release_moment
from bot.domain.ports import StorePort
from bot.domain.ports_broadcast import BroadcastPort
from bot.features.bank_share import INVITE, compose_invite
from bot.features.broadcasts_compose import BROADCAST_TEMPLATES, compose_broadcast
from bot.features.fanout import Audience
from bot.features.folding import alone, fold, is_folded
from bot.features.parts import Part, compose_parts
from bot.features.reminders import DAILY
from bot.rendering.i18n import N_

MISSED = "missed"
#: A message sent later than this after its moment says so ("sent late").
LATE_AFTER = timedelta(hours=1)
#: The most buttons one composed message carries (a phone screen, Slack's actions block).
MAX_BUTTONS = 8


class Queued(Protocol):
    """An outbox row as the composer sees it (bot.storage.OutboxItem)."""

    @property
    def id(self) -> int: ...
    @property
    def person_id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def template(self) -> str: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def buttons(self) -> tuple[Button, ...]: ...
    @property
    def not_before(self) -> datetime: ...
    @property
    def extras(self) -> dict[str, Any]: ...
    @property
    def late(self) -> bool: ...


class ComposeStore(StorePort, Protocol):
    async def finish(
        self, outbox_id: int, status: str, now: datetime, error: str | None = None
    ) -> bool: ...


def needs_state(item: Queued) -> bool:
    """Whether ``compose`` reads the person's state for ``item`` (a broadcast copy, a folded
    buddy message, an invitation to comment, a planned reminder); every other row goes out
    as it was queued (``as_queued``), and the sender opens no transaction for it."""
    if item.template in BROADCAST_TEMPLATES or (
        item.kind == "reminder" and item.template in (DAILY, MISSED)
    ):
        return item.person_id is not None  # a copy to a bare address goes out as it is
    return is_folded(item.template, item.kind) or item.template == INVITE


def as_queued(item: Queued) -> Outgoing:
    """The row's message as it was queued (a held-back one says it comes late)."""
    return Outgoing(
        item.person_id,
        item.template,
        {**item.params, "late": item.late} if item.late else item.params,
        item.buttons,
        **Outgoing.extras_from(item.extras),
    )


async def compose(
    store: ComposeStore, catalog: Catalog, item: Queued, now: datetime
) -> Outgoing | None:
    """The message to send for ``item`` now, or None when this settled the row itself
    (skipped: paused, nothing left to say; held: snoozed; or merged into another message)."""
    if not needs_state(item):
        return as_queued(item)  # replies and anything not planned here go out as they are
    if item.template in BROADCAST_TEMPLATES:
        # a broadcast copy says what the broadcast says now (cancelled, corrected, answered)
        return await compose_broadcast(cast(BroadcastPort, store), catalog, item, now)
    if is_folded(item.template, item.kind):
        # a buddy introduction or check-in rides in the message of the day (one a day)
        return await alone(store, catalog, item, now)
    if item.template == INVITE:
        # a buddy's invitation to comment says what the answer says now, if still shared
        return await compose_invite(store, catalog, item, now)
    assert item.person_id is not None  # needs_state: a planned reminder of a person
    due = await store.queued_reminders(item.person_id, due_by=now)
    if item.id not in {row.id for row in due}:
        return None  # merged into a message sent a moment ago
    person = await store.person(item.person_id, at=now)
    if person is None or person.cohort_id not in catalog.cohorts:
        await store.finish(item.id, "skipped", now, "person gone")
        return None
    held = await _held(store, catalog, person, item, now)
    if held:
        return None
    siblings = [s for s in due if s.id != item.id and s.template in (DAILY, MISSED)]
    if item.template != DAILY and not any(s.template == DAILY for s in siblings):
        return as_queued(item)  # "what you missed" on its own
    parts = await _merged_parts(store, catalog, person, [item, *siblings], now)
    for row in siblings:
        await store.finish(row.id, "skipped", now, f"merged into outbox row {item.id}")
    own = [b for b in _buttons(parts) if b.action != "status"]
    parts = await fold(store, catalog, person, parts, MAX_BUTTONS - 1 - len(own), item.id, now)
    if not parts:
        await store.finish(item.id, "skipped", now, "nothing left to say")
        return None
    return Outgoing(
        person.id,
        DAILY,
        {
            "parts": [{"template": p.template, **p.params} for p in parts],
            "late": now - item.not_before > LATE_AFTER,
        },
        _buttons(parts),
        kind="reminder",
    )


async def _merged_parts(
    store: ComposeStore, catalog: Catalog, person: Person, rows: list[Queued], now: datetime
) -> list[Part]:
    """The parts of one message from every row due for the person: each occasion once,
    what downtime swallowed first."""
    found: dict[str, Occasion] = {}
    missed: list[dict[str, Any]] = []
    for row in rows:
        for data in row.params.get("occasions", []):
            occasion = Occasion.from_json(data)
            found.setdefault(occasion.key, occasion)
        missed += [m for m in row.params.get("items", []) if m not in missed]
    parts = await _parts(store, catalog, person, list(found.values()), now)
    if missed:
        parts.insert(0, Part("missed", "missed", {"items": missed}, topic="missed"))
    return parts


async def _held(
    store: ComposeStore, catalog: Catalog, person: Person, item: Queued, now: datetime
) -> bool:
    """Pause and snooze, in one place: a paused person's reminders are skipped, a snoozed
    person's wait for the snooze to end. True if the row was settled here."""
    if person.paused_until and person.paused_until > now:
        await store.finish(item.id, "skipped", now, "paused")
        return True
    if person.snoozed_until and person.snoozed_until > now:
        cohort = catalog.cohort(person.cohort_id)
        await store.defer(item.id, release_moment(cohort, person.snoozed_until, _zone(person)))
        return True
    return False


async def _parts(
    store: ComposeStore, catalog: Catalog, person: Person, items: list[Occasion], now: datetime
) -> list[Part]:
    if any(o.kind == OccasionKind.DIGEST for o in items):
        audience = await Audience.load(store, catalog, person.cohort_id)
    else:
        audience = await Audience.of_one(store, catalog, person)
    today = now.astimezone(_zone(person) or audience.cohort.tz).date()
    return compose_parts(
        part for o in items if (part := audience.part(o, person, today)) is not None
    )


def _buttons(parts: list[Part]) -> tuple[Button, ...]:
    """Each part's buttons in the order of the parts, each action once, then "Status"."""
    seen: set[str] = set()
    found: list[Button] = []
    for part in parts:
        for button in part.buttons:
            if button.action not in seen:
                seen.add(button.action)
                found.append(button)
    found = found[: MAX_BUTTONS - 1]
    if any(p.template.startswith("stage") for p in parts):
        found.append(Button(N_("Status"), "status"))
    return tuple(found)


def _zone(person: Person) -> ZoneInfo | None:
    return ZoneInfo(person.timezone) if person.timezone else None


async def release_held(store: StorePort, catalog: Catalog, person: Person, now: datetime) -> int:
    """``resume``: reminders held back by a snooze go out now (planned ones of later days
    stay where they are). Returns how many were released."""
    cohort = catalog.cohort(person.cohort_id)
    released = 0
    for row in await store.queued_reminders(person.id):
        day = row.params.get("day")
        moment = (
            person_moment(cohort, date.fromisoformat(day), person.timezone)
            if isinstance(day, str)
            else now
        )
        if row.not_before > now and moment <= now:
            await store.defer(row.id, now)
            released += 1
    return released
