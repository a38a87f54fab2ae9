"""`status` (what is due, what is done) and `done` (mark a task as completed)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.planner import occasions
from bot.domain.programme import ActivityKind
from bot.domain.progress import StageStatus, current, stage_statuses, upcoming
from bot.errors import UserError
from bot.features.context import Context
from bot.features.reminders import Audience, next_reminder
from bot.features.views import stage_params, work_buttons


async def statuses(ctx: Context) -> list[StageStatus]:
    """Every stage of the person's cohort (their chosen labs included) with their progress."""
    done = (await ctx.store.completed([ctx.person.id]))[ctx.person.id]
    return stage_statuses(ctx.programme, ctx.cohort, done, ctx.person.labs)


async def status(ctx: Context, _argument: str) -> None:
    all_stages = await statuses(ctx)
    open_stages = current(all_stages, ctx.today)
    nxt = upcoming(all_stages, ctx.today)
    buttons = work_buttons(open_stages)
    tz = ctx.cohort.tz
    paused = ctx.person.paused_until if _active(ctx.person.paused_until, ctx) else None
    snoozed = ctx.person.snoozed_until if _active(ctx.person.snoozed_until, ctx) else None
    audience = await Audience.of_one(ctx.store, ctx.catalog, ctx.person)
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
        open_work = work_buttons(current(await statuses(ctx), ctx.today))
        buttons = tuple(b for b in open_work if b.action.startswith("done:"))
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
