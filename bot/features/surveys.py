"""Self-assessments (a 1-n scale, e.g. where the municipality stands on a theme): asked in
chat with one button per step, stored, and counted as done."""

from __future__ import annotations

from bot.domain.messages import Button
from bot.domain.programme import ActivityKind
from bot.domain.progress import next_open
from bot.errors import UserError
from bot.features.context import Context
from bot.features.progress import statuses
from bot.rendering.i18n import N_


async def ask(ctx: Context, argument: str) -> None:
    """``survey`` shows the next open self-assessment; ``survey 3`` answers it with step 3."""
    item = next_open(await statuses(ctx), ctx.today, ActivityKind.SURVEY)
    if item is None:
        ctx.reply("survey_none", buttons=(Button(N_("Status"), "status"),))
        return
    if argument.strip():
        await answer(ctx, f"{item.ref}:{argument.strip()}")
        return
    activity = item.activity
    ctx.reply(
        "survey_prompt",
        title=activity.title,
        prompt=activity.body,
        scale=[{"value": n, "label": label} for n, label in enumerate(activity.scale, 1)],
        buttons=tuple(
            Button(
                N_("%(value)s: %(label)s"),
                f"survey_answer:{item.ref}:{n}",
                {"value": str(n), "label": label},
            )
            for n, label in enumerate(activity.scale, 1)
        ),
    )


async def answer(ctx: Context, argument: str) -> None:
    """``survey_answer:<module/stage/activity>:<step>`` from a button."""
    ref, _, given = argument.rpartition(":")
    found = ctx.programme.activity(ref)
    if found is None or found[2].kind != ActivityKind.SURVEY:
        raise UserError("survey_none")
    activity = found[2]
    if not given.isdigit() or not 1 <= int(given) <= len(activity.scale):
        raise UserError("survey_bad_step", given=given[:10], steps=len(activity.scale))
    value = int(given)
    await ctx.store.save_survey(ctx.person, ref, value, ctx.now)
    await ctx.store.mark_done(ctx.person.id, ref, "survey", ctx.now)
    ctx.reply(
        "survey_saved",
        title=activity.title,
        value=value,
        label=activity.scale[value - 1],
        steps=len(activity.scale),
        buttons=(Button(N_("Status"), "status"),),
    )
