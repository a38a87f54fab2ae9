"""Self-assessments (a 1-n scale, e.g. where the municipality stands on a theme): asked in
chat with one button per step, stored, and counted as done.

Showing a self-assessment starts the ``survey`` conversation, so a typed number answers it.
An answer can be changed: ``survey`` shows the current answer of the latest one once all are
answered, and answering again replaces the stored step and says what it was before.
"""

from __future__ import annotations

from bot.domain.messages import Button
from bot.domain.programme import ActivityKind
from bot.domain.progress import ActivityStatus, StageStatus, current, next_open
from bot.errors import UserError
from bot.features import conversation
from bot.features.context import Context
from bot.features.progress import statuses
from bot.rendering.i18n import N_


def current_survey(stages: list[StageStatus], ctx: Context) -> ActivityStatus | None:
    """The next open self-assessment not answered yet; else the last answered one in a stage
    that is still current (so its answer can be seen and changed)."""
    item = next_open(stages, ctx.today, ActivityKind.SURVEY)
    if item is not None:
        return item
    answered = [
        a
        for s in current(stages, ctx.today)
        for a in s.activities
        if a.activity.kind == ActivityKind.SURVEY and a.done
    ]
    return answered[-1] if answered else None


async def ask(ctx: Context, argument: str) -> None:
    """``survey`` shows the current self-assessment (with the answer given so far, if any);
    ``survey 3`` answers it with step 3; ``survey:<ref>`` (a button) shows that one."""
    given = argument.strip()
    if given and not given.isdigit():
        found = ctx.programme.activity(given)
        if found is None or found[2].kind != ActivityKind.SURVEY:
            raise UserError("survey_none")
        await _show(ctx, given)
        return
    waiting = conversation.waiting(ctx, conversation.SURVEY)
    ref = str(waiting.data.get("ref", "")) if waiting else ""
    if not ref:
        item = current_survey(await statuses(ctx), ctx)
        if item is None:
            ctx.reply("survey_none", buttons=(Button(N_("Status"), "status"),))
            return
        ref = item.ref
    await (answer(ctx, f"{ref}:{given}") if given else _show(ctx, ref))


async def _show(ctx: Context, ref: str) -> None:
    found = ctx.programme.activity(ref)
    assert found is not None
    activity = found[2]
    now = (await ctx.store.survey_answers(ctx.person.id)).get(ref)
    await conversation.start(ctx, conversation.SURVEY, ref=ref)
    ctx.reply(
        "survey_prompt",
        title=activity.title,
        prompt=activity.body,
        scale=[{"value": n, "label": label} for n, label in enumerate(activity.scale, 1)],
        current=(
            {"value": now, "label": activity.scale[now - 1]}
            if now is not None and 1 <= now <= len(activity.scale)
            else None
        ),
        buttons=tuple(
            Button(
                N_("%(value)s: %(label)s"),
                f"survey_answer:{ref}:{n}",
                {"value": str(n), "label": label},
            )
            for n, label in enumerate(activity.scale, 1)
        ),
    )


async def typed(ctx: Context, text: str) -> None:
    """Free text while a self-assessment waits: the number of a step."""
    waiting = conversation.waiting(ctx, conversation.SURVEY)
    ref = str(waiting.data.get("ref", "")) if waiting else ""
    await answer(ctx, f"{ref}:{text.strip().rstrip('.!')}")


async def answer(ctx: Context, argument: str) -> None:
    """``survey_answer:<module/stage/activity>:<step>`` from a button, or a typed step."""
    ref, _, given = argument.rpartition(":")
    found = ctx.programme.activity(ref)
    if found is None or found[2].kind != ActivityKind.SURVEY:
        await conversation.end(ctx, conversation.SURVEY)
        ctx.reply("survey_none", buttons=(Button(N_("Status"), "status"),))
        return
    activity = found[2]
    if not given.isdigit() or not 1 <= int(given) <= len(activity.scale):
        raise UserError("survey_bad_step", given=given[:10], steps=len(activity.scale))
    value = int(given)
    before = (await ctx.store.survey_answers(ctx.person.id)).get(ref)
    await ctx.store.save_survey(ctx.person, ref, value, ctx.now)
    await ctx.store.mark_done(ctx.person.id, ref, "survey", ctx.now)
    await conversation.end(ctx, conversation.SURVEY)
    ctx.reply(
        "survey_saved",
        title=activity.title,
        value=value,
        label=activity.scale[value - 1],
        steps=len(activity.scale),
        before=(
            {"value": before, "label": activity.scale[before - 1]}
            if before is not None and before != value and 1 <= before <= len(activity.scale)
            else None
        ),
        buttons=(
            Button(N_("Change the answer"), f"survey:{ref}"),
            Button(N_("Status"), "status"),
        ),
    )
