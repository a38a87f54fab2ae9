"""``bank`` (``reflektionsbank``): reading the reflection bank in chat.

``bank`` shows the latest shared answers of the current module, a few at a time with
"more"; ``bank <module>`` and ``bank <module/stage/prompt>`` filter; ``bank mine`` lists
one's own answers (to change who may read them, edit or delete them); ``bank buddy`` the
answers of one's learning buddy; ``bank <number>`` one entry with its digilog thread.
What anyone may read is decided by ``bot.domain.bank_access`` alone.
"""

from __future__ import annotations

from typing import cast

from bot.domain.bank import BankEntry
from bot.domain.bank_access import may_moderate, may_read
from bot.domain.messages import Button
from bot.domain.ports_bank import BankPort
from bot.errors import UserError
from bot.features.bank_view import EXCERPT, current_module, entry_params, readable, viewer
from bot.features.context import Context
from bot.rendering.i18n import N_

PAGE = 3
MINE = ("mine", "mitt", "mina", "mine-svar", "my")
BUDDY = ("buddy", "kompis", "lærekompis", "læringsvenn", "lärkompis")


def port(ctx: Context) -> BankPort:
    return cast(BankPort, ctx.store)


async def browse(ctx: Context, argument: str) -> None:
    """The ``bank`` command; see the module docstring for its arguments."""
    wanted = argument.strip().lower()
    if wanted.lstrip("#").isdigit():
        await show(ctx, wanted.lstrip("#"))
    elif wanted in MINE:
        await _page(ctx, "mine", 0)
    elif wanted in BUDDY:
        await _page(ctx, "buddy", 0)
    elif wanted:
        if ctx.programme.module(wanted) is None and ctx.programme.activity(wanted) is None:
            raise UserError("bank_filter_unknown", given=argument.strip())
        await _page(ctx, wanted, 0)
    else:
        await _page(ctx, current_module(ctx.catalog, ctx.person, ctx.today) or "", 0)


async def more(ctx: Context, argument: str) -> None:
    """The "more" button: ``<offset>:<what>``."""
    offset, _, what = argument.partition(":")
    await _page(ctx, what, int(offset) if offset.isdigit() else 0)


async def _entries(ctx: Context, what: str) -> list[BankEntry]:
    store = port(ctx)
    reader = await viewer(store, ctx.person.id, ctx.person.cohort_id)
    if what == "mine":
        return await store.bank_entries(ctx.person.cohort_id, author_id=ctx.person.id)
    if what == "buddy":
        entries = []
        for buddy in sorted(reader.buddy_of):
            entries += await store.bank_entries(ctx.person.cohort_id, author_id=buddy)
        return readable(entries, reader)
    prefix = what if "/" in what else f"{what}/" if what else ""
    shown = readable(await store.bank_entries(ctx.person.cohort_id, prefix), reader)
    # one's own answers are under "mine"; here, what others shared
    return [e for e in shown if e.author_id != ctx.person.id]


async def _page(ctx: Context, what: str, offset: int) -> None:
    entries = await _entries(ctx, what)
    found = ctx.programme.activity(what) if "/" in what else None
    module = ctx.programme.module(what.split("/")[0]) if what not in ("mine", "buddy") else None
    common = {
        "what": what if what in ("mine", "buddy") else "module",
        "module": module.title if module else None,
        "prompt": found[2].title if found else None,
    }
    if not entries:
        ctx.reply("bank_empty", buttons=_filters(ctx, what), **common)
        return
    offset = max(0, min(offset, len(entries) - 1))
    page = entries[offset : offset + PAGE]
    threads = await port(ctx).comments(e.id for e in page)
    shown = [entry_params(ctx.catalog, e, ctx.person.id, excerpt=EXCERPT) for e in page]
    for params, entry in zip(shown, page, strict=True):
        params["count"] = len(threads[entry.id])
    buttons = [Button(N_("Open %(number)s"), f"bank_show:{e.id}", {"number": e.id}) for e in page]
    if offset + PAGE < len(entries):
        buttons.append(Button(N_("More"), f"bank_more:{offset + PAGE}:{what}"))
    ctx.reply(
        "bank_list",
        buttons=(*buttons, *_filters(ctx, what)),
        entries=shown,
        first=offset + 1,
        last=offset + len(page),
        total=len(entries),
        **common,
    )


def _filters(ctx: Context, what: str) -> tuple[Button, ...]:
    """Filter by prompt within the module shown; the other modules; one's own answers."""
    module_id = what.split("/")[0]
    module = ctx.programme.module(module_id)
    buttons: list[Button] = []
    if module is not None:
        for stage in module.stages:
            for activity in stage.activities:
                ref = f"{module.id}/{stage.id}/{activity.id}"
                if activity.kind.value == "reflection" and ref != what:
                    buttons.append(
                        Button(
                            N_("Only: %(title)s"), f"bank_more:0:{ref}", {"title": activity.title}
                        )
                    )
    for other in ctx.programme.modules:
        if other.id != what:
            buttons.append(
                Button(N_("Module: %(title)s"), f"bank_more:0:{other.id}", {"title": other.title})
            )
    if what != "mine":
        buttons.append(Button(N_("My answers"), "bank_more:0:mine"))
    return tuple(buttons[:8])


async def readable_entry(ctx: Context, argument: str) -> BankEntry:
    """The entry a button or a number names, if this person may read it; else one reply
    for every case (gone, hidden, never shared with them, a forged number), so a number
    reveals nothing about entries one may not read."""
    number = argument.strip().lstrip("#")
    entry = await port(ctx).bank_entry(int(number)) if number.isdigit() else None
    if entry is None:
        raise UserError("bank_unknown", number=number)
    reader = await viewer(port(ctx), ctx.person.id, entry.cohort_id)
    if not may_read(entry.access, reader):
        raise UserError("bank_unknown", number=number)
    return entry


async def show(ctx: Context, argument: str) -> None:
    """One entry in full with its thread, and what this reader can do with it."""
    entry = await readable_entry(ctx, argument)
    store = port(ctx)
    thread = (await store.comments([entry.id]))[entry.id]
    reader = await viewer(store, ctx.person.id, entry.cohort_id)
    mine = entry.author_id == ctx.person.id
    buttons: list[Button] = []
    if not entry.hidden:
        buttons.append(Button(N_("Comment"), f"bank_comment:{entry.id}"))
    if mine:
        buttons += [
            Button(N_("Who may read it"), f"bank_consent:{entry.id}"),
            Button(N_("Edit"), f"reflect:{entry.activity_ref}"),
            Button(N_("Delete"), f"bank_delete:{entry.id}"),
        ]
    elif not entry.hidden:
        buttons.append(Button(N_("Report as inappropriate"), f"bank_flag:{entry.id}"))
    if may_moderate(reader) and not mine:
        action = "bank_unhide" if entry.hidden else "bank_hide"
        buttons.append(
            Button(N_("Show again") if entry.hidden else N_("Hide"), f"{action}:{entry.id}")
        )
    ctx.reply(
        "bank_entry",
        buttons=tuple(buttons),
        entry=entry_params(ctx.catalog, entry, ctx.person.id, comments=thread),
    )


async def latest(ctx: Context, count: int = 3) -> None:
    """The few latest answers others shared with this person (the Slack App Home shows
    them under the status); nothing when there are none."""
    entries = await _entries(ctx, "")
    if entries:
        shown = [entry_params(ctx.catalog, e, ctx.person.id, excerpt=200) for e in entries[:count]]
        ctx.reply("bank_home", entries=shown)
