"""Corrections: a person edits the message that answered a reflection prompt (Telegram lets
them), and the stored answer follows."""

from __future__ import annotations

from bot.domain.messages import Button
from bot.errors import UserError
from bot.features import bank_share
from bot.features.context import Context
from bot.features.reflections import MAX_ANSWER
from bot.rendering.i18n import N_


async def correct(ctx: Context, activity_ref: str, text: str) -> None:
    found = ctx.programme.activity(activity_ref)
    if found is None:  # the content changed since: nothing to correct
        return
    answer = text.strip()
    if not answer:
        raise UserError("reflection_empty")
    if len(answer) > MAX_ANSWER:
        raise UserError("reflection_too_long", limit=MAX_ANSWER, length=len(answer))
    created = await ctx.store.save_reflection(ctx.person, activity_ref, answer, ctx.now)
    reflection_id, visibility = await bank_share.after_save(ctx, activity_ref, created)
    ctx.reply(
        "reflection_saved",
        title=found[2].title,
        updated=not created,
        chars=len(answer),
        more=False,
        visibility=visibility.value,
        buttons=(
            *bank_share.consent_buttons(reflection_id, visibility),
            Button(N_("Status"), "status"),
        ),
    )
