"""`status` (what is due, what is done) and `done` (mark a task as completed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.messages import Button
from bot.domain.planner import occasions
from bot.domain.programme import ActivityKind
from bot.domain.progress import StageStatus, current, stage_statuses, upcoming
from bot.errors import UserError
from bot.features.context import Context
from bot.rendering.i18n import N_

#: Tasks finished outside the chat, so the person tells Kompis with a "done" button.
BUTTON_DONE_KINDS = {ActivityKind.GROUP_TASK, ActivityKind.AMBITION, ActivityKind.RESOURCE}


async def statuses(ctx: Context) -> list[StageStatus]:
    done = (await ctx.store.completed([ctx.person.id]))[ctx.person.id]
    return stage_statuses(ctx.programme, ctx.cohort, done)


def stage_params(status: StageStatus) -> dict[str, Any]:
    """A stage as JSON-ready template params (texts stay localisable dicts)."""
    return {
        "module": status.module.title,
        "stage": status.stage.title,
        "summary": status.stage.summary,
        "opens": status.opens.isoformat(),
        "due": status.due.isoformat(),
        "activities": [
            {
                "ref": a.ref,
                "kind": a.activity.kind.value,
                "title": a.activity.title,
                "body": a.activity.body,
                "minutes": a.activity.minutes,
                "url": a.activity.url,
                "done": a.done,
                "tracked": a.activity.tracked,
            }
            for a in status.activities
        ],
    }


def done_buttons(open_stages: list[StageStatus]) -> tuple[Button, ...]:
    return tuple(
        Button(N_("Done: %(title)s"), f"done:{a.ref}", {"title": a.activity.title})
        for s in open_stages
        for a in s.activities
        if a.activity.kind in BUTTON_DONE_KINDS and a.activity.tracked and not a.done
    )[:5]


async def status(ctx: Context, _argument: str) -> None:
    all_stages = await statuses(ctx)
    open_stages = current(all_stages, ctx.today)
    nxt = upcoming(all_stages, ctx.today)
    buttons = done_buttons(open_stages)
    if any(
        a.activity.kind == ActivityKind.REFLECTION and not a.done
        for s in open_stages
        for a in s.activities
    ):
        buttons = (Button(N_("Answer a question"), "reflect"), *buttons)
    # reminders builds on this module (stage_params, done_buttons), hence the late import
    from bot.features.reminders import Audience, next_reminder

    tz = ctx.cohort.tz
    paused = ctx.person.paused_until if _active(ctx.person.paused_until, ctx) else None
    snoozed = ctx.person.snoozed_until if _active(ctx.person.snoozed_until, ctx) else None
    audience = await Audience.load(ctx.store, ctx.catalog, ctx.person.cohort_id)
    upcoming_at = next_reminder(audience, ctx.person, occasions(ctx.programme, ctx.cohort), ctx.now)
    ctx.reply(
        "status",
        paused_until=paused.astimezone(tz).date().isoformat() if paused else None,
        snoozed_day=snoozed.astimezone(tz).date().isoformat() if snoozed else None,
        snoozed_at=snoozed.astimezone(tz).time().isoformat("minutes") if snoozed else None,
        next_reminder=(
            {
                "day": upcoming_at.astimezone(tz).date().isoformat(),
                "at": upcoming_at.astimezone(tz).time().isoformat("minutes"),
            }
            if upcoming_at
            else None
        ),
        today=ctx.today.isoformat(),
        stages=[{**stage_params(s), "overdue": s.overdue(ctx.today)} for s in open_stages],
        next=stage_params(nxt) if nxt else None,
        buttons=buttons,
    )


def _active(until: datetime | None, ctx: Context) -> bool:
    return until is not None and until > ctx.now


async def done(ctx: Context, argument: str) -> None:
    """``done:<ref>`` from a button; typed ``done`` without a ref lists what can be ticked off."""
    ref = argument.strip()
    if not ref:
        buttons = done_buttons(current(await statuses(ctx), ctx.today))
        ctx.reply("done_choose" if buttons else "done_nothing", buttons=buttons)
        return
    found = ctx.programme.activity(ref)
    if found is None:
        raise UserError("done_unknown")
    module, stage, activity = found
    if activity.kind == ActivityKind.REFLECTION:
        raise UserError("done_is_reflection", title=activity.title)
    new = await ctx.store.mark_done(ctx.person.id, ref, "button", ctx.now)
    ctx.reply(
        "done_ok" if new else "done_already",
        title=activity.title,
        stage=stage.title,
        module=module.title,
    )
