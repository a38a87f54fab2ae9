"""Broadcasts, the same object from the command line and from chat: plan (who gets it, in
which language, on which platform), create (queue one copy per person, and an .ics), cancel,
correct (edit what is out, new text for what is not), and the status report.

Each copy is composed when it is sent (``broadcasts_compose``), from the broadcast as it is
then: a cancelled one sends nothing, a corrected one its new text, an answered one shows
the answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.broadcast import (
    BroadcastError,
    BroadcastMessage,
    Selector,
    State,
    check_placeholders,
    format_targets,
    gathering_of,
    gathering_variables,
    quiet_release,
    recipients,
)
from bot.domain.broadcast_records import Broadcast, first_key, ics_key
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.messages import Outgoing
from bot.domain.people import Person
from bot.domain.ports_broadcast import BroadcastPort
from bot.domain.text import language_for
from bot.rendering.broadcast_text import fallbacks, render_texts

MESSAGE = "broadcast"  # the template of a copy
ICS = "broadcast_ics"  # the template of its calendar file
KIND = "broadcast"  # outbox kind: bulk priority


@dataclass(frozen=True)
class Draft:
    """A broadcast before it is saved: what the CLI's options or the chat conversation say."""

    cohort: Cohort
    selectors: tuple[Selector, ...]
    message: BroadcastMessage
    send_at: datetime | None = None  # None: now
    rsvp: bool = False
    gathering: str | None = None  # MODULE/GROUP, for the .ics and the RSVP deadline
    respect_quiet_hours: bool = False
    source: str = "cli"  # or "chat"


@dataclass
class Plan:
    """Who gets a draft: each recipient once, their language and the platform Kompis would
    use now (None: unreachable)."""

    recipients: list[Person]
    locales: dict[int, str]
    platforms: dict[int, str | None]
    texts: dict[str, str]
    fallbacks: dict[str, str]
    by_platform_locale: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def unreachable(self) -> list[Person]:
        return [p for p in self.recipients if self.platforms[p.id] is None]


def locale_of(catalog: Catalog, person: Person, cohort: Cohort) -> str:
    """The language the sender will write to ``person`` in (as ``delivery.targets``)."""
    programme = catalog.programmes[cohort.programme]
    wanted = person.locale or cohort.locale
    return language_for(wanted, programme.locales, programme.default_locale)


def defaults_of(cohort: Cohort, gathering: str | None) -> dict[str, Any]:
    return gathering_variables(gathering_of(cohort, gathering)[1]) if gathering else {}


async def plan(store: BroadcastPort, catalog: Catalog, draft: Draft) -> Plan:
    cohort = draft.cohort
    defaults = defaults_of(cohort, draft.gathering)
    if draft.source != "chat":  # typed in chat, "{...}" is just text
        check_placeholders(draft.message, "message", defaults)
    groups = {o.id: o.group for o in cohort.organisations}
    people = recipients(await store.people_in_cohort(cohort.id), draft.selectors, groups)
    identities = await store.identities_of([p.id for p in people])
    found = Plan(
        people,
        {p.id: locale_of(catalog, p, cohort) for p in people},
        {},
        render_texts(draft.message, defaults),
        fallbacks(draft.message),
    )
    for person in people:
        reachable = [i for i in identities.get(person.id, []) if not i.unreachable]
        platform = reachable[0].platform if reachable else None
        found.platforms[person.id] = platform
        if platform:
            found.by_platform_locale[(platform, found.locales[person.id])] += 1
    return found


async def create(
    store: BroadcastPort,
    catalog: Catalog,
    draft: Draft,
    now: datetime,
    sender_id: int | None = None,
) -> tuple[int, Plan]:
    """Save the broadcast and queue a copy (and an .ics) for each recipient."""
    found = await plan(store, catalog, draft)
    if not found.recipients:
        raise BroadcastError("--to: nobody in the cohort matches (check the targets)")
    cohort = draft.cohort
    send_at = draft.send_at or now
    until = None
    sequence = 0
    if draft.gathering:
        _module, gathering = gathering_of(cohort, draft.gathering)
        until = cohort.local(gathering.date, gathering.start)
        last = await store.last_ics_sequence(cohort.id, draft.gathering)
        sequence = 0 if last is None else last + 1
    broadcast_id = await store.add_broadcast(
        draft.message.to_json(),
        cohort_id=cohort.id,
        targets=format_targets(draft.selectors),
        state=State.SCHEDULED.value,
        send_at=send_at,
        created_at=now,
        rsvp=draft.rsvp,
        gathering=draft.gathering,
        answers_until=until,
        respect_quiet_hours=draft.respect_quiet_hours,
        ics_sequence=sequence,
        source=draft.source,
        sender_id=sender_id,
    )
    rows = []
    queued: dict[datetime, list[Outgoing]] = {}  # one insert per moment, not per person
    for person in found.recipients:
        moment = send_at
        if draft.respect_quiet_hours:
            zone = ZoneInfo(person.timezone) if person.timezone else cohort.tz
            moment = quiet_release(cohort, send_at, zone)
        params = {"broadcast": broadcast_id}
        key = first_key(broadcast_id, person.id)
        items = queued.setdefault(moment, [])
        items.append(Outgoing(person.id, MESSAGE, params, key=key, kind=KIND))
        calendar = ics_key(broadcast_id, person.id, 1) if draft.gathering else None
        if calendar:  # its description in the language they read now
            own = {**params, "locale": found.locales[person.id]}
            items.append(Outgoing(person.id, ICS, own, key=calendar, kind=KIND))
        rows.append((person.id, key, calendar))
    for moment, items in queued.items():
        await store.enqueue(items, now, not_before=moment)
    await store.add_recipients(broadcast_id, rows)
    return broadcast_id, found


async def cancel(store: BroadcastPort, broadcast: Broadcast, now: datetime) -> tuple[int, int]:
    """Cancel a broadcast: nothing more of it is sent. Returns (copies stopped, copies that
    had already gone out)."""
    people = await store.broadcast_recipients(broadcast.id)
    keys = [first_key(broadcast.id, r.person_id) for r in people]
    keys += [r.ics_key for r in people if r.ics_key]
    stopped = await store.cancel_broadcast(broadcast.id, keys, now)
    sent = await store.deliveries(first_key(broadcast.id, r.person_id) for r in people)
    return stopped, sum(1 for d in sent.values() if d.status == "sent")


@dataclass(frozen=True)
class Corrected:
    edited: int  # copies already out: edited in place (or re-sent, marked, where impossible)
    pending: int  # not out yet: they simply go with the new text
    unreachable: int
    version: int


async def correct(
    store: BroadcastPort,
    catalog: Catalog,
    broadcast: Broadcast,
    message: BroadcastMessage,
    now: datetime,
) -> Corrected:
    """New text for a broadcast: copies out are edited, queued ones take the new text; a new
    .ics (same UID, higher SEQUENCE) follows every calendar file already out."""
    cohort = catalog.cohort(broadcast.cohort_id)
    check_placeholders(message, "message", defaults_of(cohort, broadcast.gathering))
    version = await store.correct_broadcast(
        broadcast.id, message.to_json(), broadcast.ics_sequence + 1
    )
    people = await store.broadcast_recipients(broadcast.id)
    shown = await store.deliveries(r.message_key for r in people)
    files = await store.deliveries(r.ics_key for r in people if r.ics_key)
    edited = pending = unreachable = 0
    params = {"broadcast": broadcast.id, "correction": True}
    for person in people:
        status = shown[person.message_key].status if person.message_key in shown else "pending"
        if status in ("pending", "sending"):
            pending += 1
        elif status != "sent":
            unreachable += 1
            continue
        else:
            edited += 1
            key = f"{first_key(broadcast.id, person.person_id)}:v{version}"
            item = Outgoing(
                person.person_id, MESSAGE, params, key=key, kind=KIND, edit_of=person.message_key
            )
            await store.enqueue([item], now)
            await store.update_recipient(broadcast.id, person.person_id, message_key=key)
        calendar = files.get(person.ics_key or "")
        if calendar is not None and calendar.status == "sent":
            key = ics_key(broadcast.id, person.person_id, version)
            await store.enqueue([Outgoing(person.person_id, ICS, params, key=key, kind=KIND)], now)
            await store.update_recipient(broadcast.id, person.person_id, ics_key=key)
    return Corrected(edited, pending, unreachable, version)
