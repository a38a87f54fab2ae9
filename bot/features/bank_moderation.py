"""Moderation: organisers hide an entry from the bank (with a reason) and show it again,
from chat (``Hide`` under an entry, then the reason) and from the command line
(``kompis bank hide ID --reason ...``). The author is told, kindly, in their language."""

from __future__ import annotations

from datetime import datetime

from bot.domain.bank import BankEntry
from bot.domain.bank_access import may_moderate
from bot.domain.catalog import Catalog
from bot.domain.messages import Button, Outgoing
from bot.domain.ports_bank import BankPort
from bot.errors import UserError
from bot.features import conversation
from bot.features.bank import port, readable_entry
from bot.features.bank_view import entry_params, viewer
from bot.features.context import Context
from bot.rendering.i18n import N_

MAX_REASON = 500


async def apply(
    store: BankPort,
    catalog: Catalog,
    entry: BankEntry,
    hidden: bool,
    reason: str,
    now: datetime,
    by: int | None = None,
) -> list[Outgoing]:
    """Hide or show ``entry`` again; returns the message to its author (none when nothing
    changes or the author is gone)."""
    if entry.hidden == hidden:
        return []
    await store.moderate(entry.id, hidden, reason, now, by)
    if entry.author_id is None:
        return []
    stamp = now.isoformat(timespec="seconds")
    return [
        Outgoing(
            entry.author_id,
            "bank_moderated_author",
            {
                "entry": entry_params(catalog, entry, entry.author_id, 200),
                "hidden": hidden,
                "reason": reason,
            },
            (Button(N_("Open %(number)s"), f"bank_show:{entry.id}", {"number": entry.id}),),
            key=f"bank-moderated:{entry.id}:{int(hidden)}:{stamp}",
        )
    ]


async def _organiser_entry(ctx: Context, argument: str) -> BankEntry:
    entry = await readable_entry(ctx, argument)
    if not may_moderate(await viewer(port(ctx), ctx.person.id, entry.cohort_id)):
        raise UserError("bank_not_organiser")
    return entry


async def hide(ctx: Context, argument: str) -> None:
    """``bank_hide:<id>``: the next message is the reason."""
    entry = await _organiser_entry(ctx, argument)
    await conversation.start(ctx, conversation.BANK_HIDE, id=entry.id)
    ctx.reply("bank_hide_ask", entry=entry_params(ctx.catalog, entry, ctx.person.id, 200))


async def reason(ctx: Context, text: str) -> None:
    waiting = conversation.waiting(ctx, conversation.BANK_HIDE)
    number = str(waiting.data.get("id", "")) if waiting else ""
    why = text.strip()
    if not why:
        raise UserError("bank_reason_empty")
    if len(why) > MAX_REASON:
        raise UserError("bank_comment_too_long", limit=MAX_REASON, length=len(why))
    await conversation.end(ctx)
    entry = await _organiser_entry(ctx, number)
    ctx.replies += await apply(port(ctx), ctx.catalog, entry, True, why, ctx.now, ctx.person.id)
    ctx.reply(
        "bank_moderated", entry=entry_params(ctx.catalog, entry, ctx.person.id, 200), hidden=True
    )


async def unhide(ctx: Context, argument: str) -> None:
    entry = await _organiser_entry(ctx, argument)
    ctx.replies += await apply(port(ctx), ctx.catalog, entry, False, "", ctx.now, ctx.person.id)
    ctx.reply(
        "bank_moderated", entry=entry_params(ctx.catalog, entry, ctx.person.id, 200), hidden=False
    )
