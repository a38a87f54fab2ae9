"""Digilog comments on bank entries, and flags.

Anyone who may read an entry may comment; the author is told and can answer; others in the
thread are told of answers while they may still read the entry (comments follow the
entry's visibility, through ``bank_access.may_read``). A reader can flag an entry as
inappropriate; the cohort's organisers are told.
"""

from __future__ import annotations

from typing import Protocol, cast

from bot.domain.bank import BankEntry
from bot.domain.bank_access import may_read
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Role
from bot.errors import UserError
from bot.features import conversation
from bot.features.bank import port, readable_entry
from bot.features.bank_view import entry_params, viewer
from bot.features.context import Context
from bot.rendering.i18n import N_

MAX_COMMENT = 1000


class OutboxPort(Protocol):
    async def sent_parts(self, key: str) -> object | None: ...


async def _open_entry(ctx: Context, argument: str) -> BankEntry:
    entry = await readable_entry(ctx, argument)
    if entry.hidden:
        raise UserError("bank_hidden_no_comment", number=entry.id)
    return entry


async def ask(ctx: Context, argument: str) -> None:
    """``bank_comment:<id>``: the next message is the comment."""
    entry = await _open_entry(ctx, argument)
    await conversation.start(ctx, conversation.BANK_COMMENT, id=entry.id)
    ctx.reply("bank_comment_ask", entry=entry_params(ctx.catalog, entry, ctx.person.id, 300))


async def typed(ctx: Context, text: str) -> None:
    """The comment, while ``bank_comment`` waits. The entry is checked again: it may have
    been hidden, deleted or unshared since the question."""
    waiting = conversation.waiting(ctx, conversation.BANK_COMMENT)
    number = str(waiting.data.get("id", "")) if waiting else ""
    comment = text.strip()
    if not comment:
        raise UserError("bank_comment_empty")
    if len(comment) > MAX_COMMENT:
        raise UserError("bank_comment_too_long", limit=MAX_COMMENT, length=len(comment))
    await conversation.end(ctx)
    entry = await _open_entry(ctx, number)
    store = port(ctx)
    comment_id = await store.add_comment(entry.id, ctx.person.id, comment, ctx.now)
    ctx.reply(
        "bank_comment_saved",
        entry=entry_params(ctx.catalog, entry, ctx.person.id, 200),
        buttons=(Button(N_("Open %(number)s"), f"bank_show:{entry.id}", {"number": entry.id}),),
    )
    await _notify(ctx, entry, comment_id)


async def _notify(ctx: Context, entry: BankEntry, comment_id: int) -> None:
    """The author, and the others in the thread who may still read the entry, are told of
    the new comment (its writer's name as ``comment_params`` allows)."""
    store = port(ctx)
    thread = (await store.comments([entry.id]))[entry.id]
    by_author = ctx.person.id == entry.author_id
    recipients = {entry.author_id} | {c.person_id for c in thread}
    recipients -= {ctx.person.id, None}
    for person_id in sorted(r for r in recipients if r is not None):
        if not may_read(entry.access, await viewer(store, person_id, entry.cohort_id)):
            continue
        newest = thread[-1]
        root = await _thread_root(ctx, entry.id, [c.id for c in thread[:-1]], person_id)
        params = entry_params(ctx.catalog, entry, person_id, 200, comments=[newest])
        ctx.replies.append(
            Outgoing(
                person_id,
                "bank_comment_new",
                {
                    "entry": params,
                    "to_author": person_id == entry.author_id,
                    "by_author": by_author,
                },
                (
                    Button(N_("Answer"), f"bank_comment:{entry.id}"),
                    Button(N_("Open %(number)s"), f"bank_show:{entry.id}", {"number": entry.id}),
                ),
                key=f"bank-comment:{comment_id}:{person_id}",
                reply_to=root,
            )
        )


async def _thread_root(
    ctx: Context, entry_id: int, earlier: list[int], person_id: int
) -> str | None:
    """The outbox key of the first message this person got about the entry (the buddy's
    invitation, else the first comment they were told of), so each later one answers it in
    the chat's thread (Telegram reply, Slack thread): one conversation per reflection."""
    store = cast(OutboxPort, ctx.store)
    keys = [f"bank-invite:{entry_id}:{person_id}"]
    keys += [f"bank-comment:{comment}:{person_id}" for comment in earlier]
    for key in keys:
        if await store.sent_parts(key) is not None:
            return key
    return None


async def flag(ctx: Context, argument: str) -> None:
    """``bank_flag:<id>``: organisers of the cohort are told (once per reader)."""
    entry = await _open_entry(ctx, argument)
    if entry.author_id == ctx.person.id:
        raise UserError("bank_not_yours")
    store = port(ctx)
    if await store.add_flag(entry.id, ctx.person.id, ctx.now):
        for organiser in await store.people_in_cohort(entry.cohort_id):
            if not organiser.has(Role.ORGANISER) or organiser.id == entry.author_id:
                continue
            ctx.replies.append(
                Outgoing(
                    organiser.id,
                    "bank_flagged",
                    {"entry": entry_params(ctx.catalog, entry, organiser.id, 300)},
                    (
                        Button(
                            N_("Open %(number)s"), f"bank_show:{entry.id}", {"number": entry.id}
                        ),
                        Button(N_("Hide"), f"bank_hide:{entry.id}"),
                    ),
                    key=f"bank-flag:{entry.id}:{ctx.person.id}:{organiser.id}",
                )
            )
    ctx.reply("bank_flag_thanks", entry=entry_params(ctx.catalog, entry, ctx.person.id, 200))
