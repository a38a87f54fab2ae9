"""The buddy relay: ``buddy <text>`` (``kompis`` in nb, nn and sv), the "Write to my buddy"
button, or a reply to a relayed message passes the text on to the person's learning buddy
(both others in a trio), on the buddy's own platform, with the sender's name, in the same
thread (Telegram reply-to, Slack ``thread_ts``: the copies are named by outbox key).

Every message is stored; each copy is a delivery row, so a reply to any copy (the buddy's,
or the "sent" note in the sender's chat) continues its thread. A buddy Kompis cannot reach
is named to the sender at once; a copy the outbox gives up on later is reported to the sender
by ``buddy_checkins.notify_undelivered``. Buddies see each other's name and what they write
to each other, nothing more.
"""

from __future__ import annotations

from typing import cast

from bot.domain.buddies import BuddyGroup
from bot.domain.messages import Address, Button, Outgoing
from bot.domain.ports_relay import RelayPort
from bot.domain.relay import MAX_MESSAGE
from bot.errors import UserError
from bot.features import conversation
from bot.features.buddy_optout import no_buddy_reason
from bot.features.context import Context
from bot.rendering.i18n import N_

WRITE = N_("Write to my buddy")
REPLY = N_("Reply")


def write_button(thread: int | None = None) -> Button:
    return Button(WRITE if thread is None else REPLY, f"buddy_write:{thread or ''}".rstrip(":"))


def _store(ctx: Context) -> RelayPort:
    return cast(RelayPort, ctx.store)


async def _group(ctx: Context) -> BuddyGroup:
    group = await _store(ctx).buddy_group_of(ctx.person.id, ctx.person.cohort_id)
    if group is None or len(group.members) < 2:
        template, buttons = await no_buddy_reason(ctx)
        raise UserError(template, buttons=buttons)
    return group


async def _names(ctx: Context, ids: list[int]) -> list[str]:
    people = [await ctx.store.person(i) for i in ids]
    return [p.name for p in people if p is not None]


async def command(ctx: Context, argument: str) -> None:
    """``buddy <text>`` relays the text; ``buddy`` alone waits for the next message."""
    if argument.strip():
        await relay(ctx, argument, None)
    else:
        await write(ctx, "")


async def write(ctx: Context, argument: str) -> None:
    """The "Write to my buddy" (or "Reply") button: the next free text is the message."""
    group = await _group(ctx)
    thread = int(argument) if argument.isdigit() else None
    await conversation.start(ctx, conversation.BUDDY, thread=thread)
    others = [m for m in group.members if m != ctx.person.id]
    ctx.reply(
        "buddy_write_prompt",
        names=await _names(ctx, others),
        buttons=(Button(N_("Cancel"), "skip"),),
    )


async def answer(ctx: Context, text: str) -> None:
    """The message typed after the button; an empty one keeps waiting."""
    waiting = conversation.waiting(ctx, conversation.BUDDY)
    thread = waiting.data.get("thread") if waiting else None
    if await _store(ctx).buddy_group_of(ctx.person.id, ctx.person.cohort_id) is None:
        await conversation.end(ctx, conversation.BUDDY)  # the group ended meanwhile
        ctx.reply("buddy_none")  # a reply, not a UserError: that would undo the end
        return
    if not text.strip():
        raise UserError("buddy_empty", buttons=(Button(N_("Cancel"), "skip"),))
    await relay(ctx, text, int(thread) if thread else None)
    await conversation.end(ctx, conversation.BUDDY)


async def meant_for_buddy(ctx: Context) -> bool:
    """Whether this message is for the buddy: "Write to my buddy" waits for it, or it
    replies to a copy of a buddy message (a picture sent so is refused in those words)."""
    if conversation.waiting(ctx, conversation.BUDDY) is not None:
        return True
    inbound = ctx.inbound
    if not inbound.reply_to:
        return False
    address = Address(inbound.platform, inbound.chat_id, inbound.workspace)
    found = await _store(ctx).copy_replied_to(ctx.person.id, address, inbound.reply_to)
    return found is not None


async def replied(ctx: Context) -> bool:
    """A reply (Telegram) or a thread answer (Slack) to a copy of a buddy message in this
    person's chat: relayed in that thread; to the introduction: a new thread. False when it
    answers neither."""
    inbound = ctx.inbound
    if not inbound.reply_to or inbound.action:
        return False
    address = Address(inbound.platform, inbound.chat_id, inbound.workspace)
    found = await _store(ctx).copy_replied_to(ctx.person.id, address, inbound.reply_to)
    if found is None:
        # a reply to the introduction starts the conversation
        intro = await _store(ctx).sent_params(
            ctx.person.id, "buddy_intro", address, inbound.reply_to
        )
        if intro is None:
            return False
        await relay(ctx, inbound.text, None)
        return True
    group = await _store(ctx).buddy_group_of(ctx.person.id, ctx.person.cohort_id)
    if group is None or group.id != found.pair_id:
        raise UserError("buddy_thread_closed", buttons=(write_button(),) if group else ())
    await relay(ctx, inbound.text, found.thread_id)
    return True


async def relay(ctx: Context, text: str, thread: int | None) -> None:
    """Store the message and queue a copy to each buddy Kompis can reach, in the thread,
    and a note to the sender saying who got it (and who cannot get it)."""
    body = text.strip()
    if not body:
        raise UserError("buddy_empty", buttons=(write_button(thread),))
    if len(body) > MAX_MESSAGE:
        raise UserError("buddy_too_long", limit=MAX_MESSAGE, length=len(body))
    store = _store(ctx)
    group = await _group(ctx)
    if thread is not None and await store.buddy_message_group(thread) != group.id:
        thread = None  # a thread of another group (an old or a forged button): a new one
    me = ctx.person.id
    message = await store.save_buddy_message(group.id, me, body, thread, ctx.now)
    roots = await store.thread_roots(thread) if thread else {}
    thread = thread or message
    reached: list[str] = []
    unreachable: list[str] = []
    for other in (m for m in group.members if m != me):
        person = await store.person(other)
        if person is None:
            continue
        if not any(not i.unreachable for i in await store.identities(other)):
            unreachable.append(person.name)
            continue
        key = f"buddy:{message}:{other}"
        params = {"name": ctx.person.name, "text": body}
        ctx.replies.append(
            Outgoing(
                other,
                "buddy_message",
                params,
                (write_button(thread),),
                key=key,
                reply_to=roots.get(other),
            )
        )
        await store.add_buddy_delivery(message, other, key)
        reached.append(person.name)
    key = f"buddy:{message}:{me}"
    ctx.replies.append(
        Outgoing(
            me,
            "buddy_sent",
            {"names": reached, "unreachable": unreachable},
            key=key,
            reply_to=roots.get(me),
        )
    )
    await store.add_buddy_delivery(message, me, key)
