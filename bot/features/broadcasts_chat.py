"""Broadcasts from chat, and RSVPs.

``broadcast`` (``kunngjøring``, ``kunngjering``, ``utskick``): an organiser may send to any
target in their cohort, a coordinator only to their own organisation; anyone else is told
politely who can. The target is chosen with buttons (or typed: ``broadcast org:alta``), the
text typed as the next message, a preview shows it with the recipient count, and "Send"
creates the very same broadcast the command line does (status, correct, cancel work on it).

``rsvp:<id>:<answer>``: a recipient's answer, changeable until the gathering starts; their
message is edited to show it.
"""

from __future__ import annotations

import uuid
from typing import cast

from bot.domain.broadcast import (
    Answer,
    BroadcastError,
    BroadcastMessage,
    Selector,
    State,
    format_targets,
    parse_targets,
)
from bot.domain.broadcast_records import first_key
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Role
from bot.domain.ports_broadcast import BroadcastPort
from bot.features import conversation
from bot.features.broadcasts import MESSAGE, Draft, create, plan
from bot.features.broadcasts_compose import answers_open
from bot.features.broadcasts_report import organisation_name
from bot.features.context import Context
from bot.rendering.i18n import N_

#: the most organisations offered as buttons (a region has up to ~30; more: type org:ID)
MAX_ORG_BUTTONS = 12


def _store(ctx: Context) -> BroadcastPort:
    return cast(BroadcastPort, ctx.store)


def allowed(ctx: Context, selectors: tuple[Selector, ...]) -> bool:
    """Organisers: anything in their cohort. Coordinators: only selectors that name their own
    organisation."""
    if ctx.person.has(Role.ORGANISER):
        return True
    if not ctx.person.has(Role.COORDINATOR) or ctx.person.organisation is None:
        return False
    own = ctx.person.organisation
    return all(any(f.kind == "org" and f.value == own for f in s) for s in selectors)


def may_broadcast(ctx: Context) -> bool:
    return ctx.person.has(Role.ORGANISER) or (
        ctx.person.has(Role.COORDINATOR) and ctx.person.organisation is not None
    )


def target_buttons(ctx: Context) -> tuple[Button, ...]:
    cohort = ctx.cohort
    if not ctx.person.has(Role.ORGANISER):
        name = organisation_name(cohort, ctx.person.organisation, ctx.locale)
        action = f"broadcast_to:org:{ctx.person.organisation}"
        return (Button(N_("%(name)s"), action, {"name": name}),)
    found = [Button(N_("Everyone"), "broadcast_to:all")]
    found += [Button(N_("Coordinators"), "broadcast_to:role:coordinator")]
    found += [
        Button(N_("Gathering group: %(name)s"), f"broadcast_to:group:{g.id}", {"name": g.name})
        for g in cohort.gathering_groups
    ]
    found += [
        Button(
            N_("%(name)s"),
            f"broadcast_to:org:{o.id}",
            {"name": organisation_name(cohort, o.id, ctx.locale)},
        )
        for o in cohort.organisations[:MAX_ORG_BUTTONS]
    ]
    return tuple(found)


async def start(ctx: Context, argument: str) -> None:
    """``broadcast`` [target]: who may, chooses a target (buttons), else a polite no."""
    if not may_broadcast(ctx):
        ctx.reply("broadcast_refused")
        return
    if argument.strip():
        await choose(ctx, argument.strip())
        return
    ctx.reply("broadcast_choose", buttons=target_buttons(ctx))


async def choose(ctx: Context, argument: str) -> None:
    """A target was chosen (a button, or typed after the command): ask for the text."""
    if not may_broadcast(ctx):
        ctx.reply("broadcast_refused")
        return
    try:
        selectors = parse_targets(argument, ctx.cohort)
    except BroadcastError:
        ctx.reply("broadcast_nobody", buttons=target_buttons(ctx))
        return
    if not allowed(ctx, selectors):
        ctx.reply("broadcast_not_yours", buttons=target_buttons(ctx))
        return
    draft = Draft(ctx.cohort, selectors, BroadcastMessage({ctx.locale: "-"}), source="chat")
    found = await plan(_store(ctx), ctx.catalog, draft)
    if not found.recipients:
        ctx.reply("broadcast_nobody", buttons=target_buttons(ctx))
        return
    targets = format_targets(selectors)
    await conversation.start(ctx, conversation.BROADCAST_TEXT, targets=targets)
    ctx.reply("broadcast_write", count=len(found.recipients))


async def typed(ctx: Context, text: str) -> None:
    """The announcement's text (or, at the preview, a new text): show the preview."""
    waiting = conversation.waiting(ctx, conversation.BROADCAST_TEXT, conversation.BROADCAST_CONFIRM)
    if waiting is None:
        return
    targets = str(waiting.data["targets"])
    selectors = parse_targets(targets, ctx.cohort)
    text = text.strip()
    if not text:
        ctx.reply("broadcast_write", count=0)
        return
    draft = Draft(ctx.cohort, selectors, BroadcastMessage({ctx.locale: text}), source="chat")
    found = await plan(_store(ctx), ctx.catalog, draft)
    await conversation.start(ctx, conversation.BROADCAST_CONFIRM, targets=targets, text=text)
    ctx.reply(
        "broadcast_preview",
        buttons=(Button(N_("Send"), "broadcast_send"), Button(N_("Cancel"), "broadcast_drop")),
        count=len(found.recipients),
        unreachable=len(found.unreachable),
        text=text,
    )


async def send(ctx: Context, _argument: str) -> None:
    waiting = conversation.waiting(ctx, conversation.BROADCAST_CONFIRM)
    if waiting is None:
        ctx.reply("broadcast_dropped")
        return
    selectors = parse_targets(str(waiting.data["targets"]), ctx.cohort)
    if not allowed(ctx, selectors):  # roles may have changed since the preview
        await conversation.end(ctx)
        ctx.reply("broadcast_refused")
        return
    message = BroadcastMessage({ctx.locale: str(waiting.data["text"])})
    draft = Draft(ctx.cohort, selectors, message, source="chat")
    broadcast_id, found = await create(
        _store(ctx), ctx.catalog, draft, ctx.now, sender_id=ctx.person.id
    )
    await conversation.end(ctx)
    ctx.reply("broadcast_sent", id=broadcast_id, count=len(found.recipients))


async def drop(ctx: Context, _argument: str) -> None:
    await conversation.end(ctx)
    ctx.reply("broadcast_dropped")


async def rsvp(ctx: Context, argument: str) -> None:
    """``rsvp:<id>:<answer>``: save the answer and show it on the person's message."""
    number, _, given = argument.partition(":")
    store = _store(ctx)
    broadcast = await store.broadcast(int(number)) if number.isdigit() else None
    recipient = await store.broadcast_recipient(broadcast.id, ctx.person.id) if broadcast else None
    if (
        broadcast is None
        or recipient is None
        or not broadcast.rsvp
        or broadcast.state == State.CANCELLED
        or given not in {a.value for a in Answer}
    ):
        ctx.reply("broadcast_gone")
        return
    if not answers_open(broadcast, ctx.now):
        ctx.reply("rsvp_closed")
        return
    await store.update_recipient(broadcast.id, ctx.person.id, answer=given, answered_at=ctx.now)
    corrected = recipient.message_key != first_key(broadcast.id, ctx.person.id)
    ctx.replies.append(
        Outgoing(
            ctx.person.id,
            MESSAGE,
            {"broadcast": broadcast.id, "correction": corrected},
            key=f"{first_key(broadcast.id, ctx.person.id)}:rsvp:{uuid.uuid4().hex}",
            edit_of=recipient.message_key,
        )
    )
