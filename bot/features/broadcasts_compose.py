"""A broadcast copy, composed when it is sent (the sender's compose hook): from the broadcast
as it is *now*, so a cancelled one is not sent (also when a worker holds the row already), a
corrected one goes with the new text, and an RSVP shows on the person's message."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from bot.domain.broadcast import Answer, BroadcastMessage, State, gathering_of
from bot.domain.broadcast_records import Broadcast
from bot.domain.catalog import Catalog
from bot.domain.messages import Attachment, Button, Outgoing
from bot.domain.people import Role
from bot.domain.ports_broadcast import BroadcastPort
from bot.domain.text import pick
from bot.features.broadcasts import ICS, MESSAGE, defaults_of, locale_of
from bot.rendering.broadcast_text import render_texts
from bot.rendering.i18n import N_
from bot.rendering.ics import CalendarEvent, gathering_uid, to_ics

#: the RSVP buttons, in the order shown
ANSWERS = (
    (Answer.COMING, N_("Coming")),
    (Answer.NOT_COMING, N_("Not coming")),
    (Answer.MAYBE, N_("Maybe")),
)


def answers_open(broadcast: Broadcast, now: datetime) -> bool:
    return broadcast.answers_until is None or now < broadcast.answers_until


def rsvp_buttons(broadcast: Broadcast, now: datetime) -> tuple[Button, ...]:
    if not broadcast.rsvp or not answers_open(broadcast, now):
        return ()
    return tuple(Button(label, f"rsvp:{broadcast.id}:{answer.value}") for answer, label in ANSWERS)


async def compose_broadcast(
    store: BroadcastPort, catalog: Catalog, item: Any, now: datetime
) -> Outgoing | None:
    """The copy for outbox row ``item`` (template ``broadcast`` or ``broadcast_ics``), or None
    when the row was settled here (cancelled, or the person is no longer a recipient)."""
    found = await store.broadcast_copy(int(item.params["broadcast"]), item.person_id)
    if (
        found is None
        or found[0].state == State.CANCELLED
        or found[0].cohort_id not in catalog.cohorts
    ):
        await store.finish(item.id, "skipped", now, "broadcast cancelled")
        return None
    broadcast, recipient = found
    cohort = catalog.cohort(broadcast.cohort_id)
    message = BroadcastMessage.from_json(broadcast.message)
    texts = render_texts(message, defaults_of(cohort, broadcast.gathering))
    correction = bool(item.params.get("correction"))
    extras = Outgoing.extras_from(item.extras)
    if item.template == ICS:
        locale = item.params.get("locale") or await _locale(store, catalog, broadcast, item)
        if locale is None:
            await store.finish(item.id, "skipped", now, "no longer in the cohort")
            return None
        attachment = calendar_file(catalog, broadcast, str(locale), texts, now)
        return Outgoing(
            item.person_id,
            ICS,
            {"correction": correction},
            kind=item.kind,
            attachment=attachment,
        )
    return Outgoing(
        item.person_id,
        MESSAGE,
        {
            "texts": texts,
            "correction": correction,
            "rsvp": broadcast.rsvp,
            "answer": recipient.answer or "",
            "open": answers_open(broadcast, now),
            "coordinator": await _from_coordinator(store, broadcast),
        },
        rsvp_buttons(broadcast, now),
        kind=item.kind,
        **extras,
    )


async def _locale(
    store: BroadcastPort, catalog: Catalog, broadcast: Broadcast, item: Any
) -> str | None:
    """The recipient's language now (a corrected .ics; a new one carries it in its params)."""
    person = await store.person(item.person_id, cohort_id=broadcast.cohort_id)
    return locale_of(catalog, person, catalog.cohort(broadcast.cohort_id)) if person else None


async def _from_coordinator(store: BroadcastPort, broadcast: Broadcast) -> bool:
    """Whether a coordinator (not an organiser) wrote it, so the heading says who it is from."""
    if broadcast.sender_id is None:
        return False
    sender = await store.person(broadcast.sender_id, cohort_id=broadcast.cohort_id)
    return sender is not None and not sender.has(Role.ORGANISER)


def calendar_file(
    catalog: Catalog, broadcast: Broadcast, locale: str, texts: dict[str, str], now: datetime
) -> Attachment:
    """The gathering as an .ics in the person's language: the cohort's zone, the place the
    broadcast names (else the schedule's), the broadcast's text as the description."""
    assert broadcast.gathering is not None
    cohort = catalog.cohort(broadcast.cohort_id)
    programme = catalog.programmes[cohort.programme]
    module_id, gathering = gathering_of(cohort, broadcast.gathering)
    variables = BroadcastMessage.from_json(broadcast.message).variables
    day = variables.get("date", gathering.date)
    start = cohort.local(day, variables.get("time", gathering.start))
    end = cohort.local(day, gathering.end)
    module = programme.module(module_id)
    group = next((g for g in cohort.gathering_groups if g.id == gathering.group), None)
    title = [pick(module.title, locale)] if module else []
    title += [pick(group.name, locale)] if group else []
    event = CalendarEvent(
        uid=gathering_uid(cohort.id, broadcast.gathering),
        sequence=broadcast.ics_sequence,
        start=start,
        end=end if end > start else start + timedelta(hours=1),
        summary=" – ".join(title) or broadcast.gathering,
        location=pick(variables.get("place", gathering.place), locale),
        description=texts[locale],
        stamp=now,
        language=locale,
    )
    content = base64.b64encode(to_ics(event)).decode()
    return Attachment(f"{module_id}-{gathering.group}.ics", "text/calendar", content)


BROADCAST_TEMPLATES = (MESSAGE, ICS)
