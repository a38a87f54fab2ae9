"""Reflection prompts answered in chat: ask the next one, store the answer, allow edits."""

from __future__ import annotations

from bot.domain.messages import Button
from bot.domain.programme import ActivityKind
from bot.domain.progress import next_open
from bot.errors import UserError
from bot.features.context import Context
from bot.features.progress import statuses
from bot.rendering.i18n import N_

MAX_ANSWER = 4000


async def ask(ctx: Context, argument: str) -> None:
    """``reflect`` asks the next unanswered prompt; ``reflect <module/stage/activity>`` a given
    one (also to change an answer already given)."""
    ref = argument.strip()
    if ref:
        found = ctx.programme.activity(ref)
        if found is None or found[2].kind != ActivityKind.REFLECTION:
            raise UserError("reflect_unknown")
        module, stage, activity = found
    else:
        item = next_open(await statuses(ctx), ctx.today)
        if item is None:
            ctx.reply("reflect_none", buttons=(Button(N_("Status"), "status"),))
            return
        ref = item.ref
        found = ctx.programme.activity(ref)
        assert found is not None
        module, stage, activity = found
    await ctx.store.update_person(ctx.person.id, pending_activity=ref)
    ctx.reply(
        "reflection_prompt",
        ref=ref,  # a reply to this message answers this prompt (bot.receiver)
        module=module.title,
        stage=stage.title,
        title=activity.title,
        prompt=activity.body,
    )


async def answer(ctx: Context, text: str) -> None:
    """Free text while a prompt is pending: that is the answer."""
    ref = ctx.person.pending_activity
    found = ctx.programme.activity(ref) if ref else None
    if ref is None or found is None:
        raise UserError("reflect_unknown")
    answer_text = text.strip()
    if not answer_text:
        raise UserError("reflection_empty")
    if len(answer_text) > MAX_ANSWER:
        raise UserError("reflection_too_long", limit=MAX_ANSWER, length=len(answer_text))
    created = await ctx.store.save_reflection(ctx.person, ref, answer_text, ctx.now)
    await ctx.store.mark_done(ctx.person.id, ref, "reflection", ctx.now)
    await ctx.store.update_person(ctx.person.id, pending_activity=None)
    more = next_open(await statuses(ctx), ctx.today) is not None
    buttons = (Button(N_("Next question"), "reflect"),) if more else ()
    ctx.reply(
        "reflection_saved",
        title=found[2].title,
        updated=not created,
        chars=len(answer_text),
        more=more,
        buttons=(*buttons, Button(N_("Status"), "status")),
    )
