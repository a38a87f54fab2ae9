"""`status` (what is due, what is done) and `done` (mark a task as completed)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.people import Role
from bot.domain.planner import occasions
from bot.domain.programme import ActivityKind, Scope
from bot.domain.progress import StageStatus, current, stage_statuses, upcoming
from bot.errors import UserError
from bot.features.context import Context
from bot.features.fanout import Audience
from bot.features.forecast import next_reminder
from bot.features.views import stage_params, work_buttons


async def statuses(ctx: Context, audience: Audience | None = None) -> list[StageStatus]:
    """Every stage of the person's cohort (their chosen labs included) with their progress,
    their leadership team's work included, on their gathering group's dates."""
    a = audience or await Audience.of_one(ctx.store, ctx.catalog, ctx.person)
    return stage_statuses(
        ctx.programme,
        ctx.cohort,
        a.done.get(ctx.person.id, set()),
        ctx.person.labs,
        a.group_of(ctx.person),
        a.by.get(ctx.person.id),
    )


#: ``status more``: every open stage in full, the overdue ones too.
MORE_WORDS = {"more", "mer", "meir", "mera", "fler", "alle", "all", "alla"}


async def status(ctx: Context, argument: str) -> None:
    """What matters now: the open stages in full, one line for those past their deadline
    (``status more`` shows them too), what comes next and the next reminder."""
    if ctx.person.has(Role.COORDINATOR):  # their overview depends on their leaders
        audience = await Audience.load(ctx.store, ctx.catalog, ctx.person.cohort_id)
    else:
        audience = await Audience.of_one(ctx.store, ctx.catalog, ctx.person)
    all_stages = await statuses(ctx, audience) if ctx.person.has(Role.PARTICIPANT) else []
    open_stages = current(all_stages, ctx.today)
    more = argument.strip().lower() in MORE_WORDS
    overdue = [s for s in open_stages if s.overdue(ctx.today)]
    shown = open_stages if more else [s for s in open_stages if s not in overdue]
    nxt = upcoming(all_stages, ctx.today)
    buttons = work_buttons(open_stages)
    tz = ctx.cohort.tz
    paused = ctx.person.paused_until if _active(ctx.person.paused_until, ctx) else None
    snoozed = ctx.person.snoozed_until if _active(ctx.person.snoozed_until, ctx) else None
    upcoming_at = next_reminder(audience, ctx.person, occasions(ctx.programme, ctx.cohort), ctx.now)
    if ctx.person.timezone:
        tz = ZoneInfo(ctx.person.timezone)
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
        stages=[
            {**stage_params(s), "overdue": s.overdue(ctx.today), "tracked_count": len(s.tracked)}
            for s in shown
        ],
        overdue=[] if more else [f"{s.module.id}/{s.stage.id}" for s in overdue],
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
    if activity.kind == ActivityKind.QUIZ:  # done by taking it, which is what counts
        raise UserError("done_is_quiz", title=activity.title)
    new = await ctx.store.mark_done(ctx.person.id, ref, "button", ctx.now)
    ctx.reply(
        "done_ok" if new else "done_already",
        team=activity.scope == Scope.TEAM,
        title=activity.title,
        stage=stage.title,
        module=module.title,
    )
