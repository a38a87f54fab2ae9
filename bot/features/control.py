"""People control their reminders: ``snooze`` (tomorrow / in 3 days), ``pause`` until a date
(holidays), ``resume``. Reminders due while snoozed wait for the snooze to end; reminders due
while paused are skipped."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.messages import Button
from bot.domain.planner import (
    Occasion,
    OccasionKind,
    calendar_for,
    pause_until,
    person_moment,
    snooze_until,
)
from bot.domain.progress import scheduled_stages
from bot.errors import UserError
from bot.features.compose import release_held
from bot.features.context import Context
from bot.features.reminders import planned
from bot.rendering.i18n import N_

SNOOZE_CHOICES = (
    Button(N_("Tomorrow"), "snooze:1"),
    Button(N_("In 3 days"), "snooze:3"),
)
_TOMORROW = {"tomorrow", "morgen", "imorgen", "imorgon", "morgon", "i morgen", "i morgon"}
#: Swedish "skjut upp" arrives as the command "skjut" with the argument "upp ...".
_FILLER = ("upp", "up", "til", "till", "until", "to")
MAX_SNOOZE_DAYS = 14
MAX_PAUSE_DAYS = 366


def snooze_days(argument: str) -> int | None:
    """``""`` -> 0 (ask); "tomorrow", "i morgen", "1" -> 1; "3", "3 dager", "3 dagar" -> 3."""
    text = argument.strip().lower()
    for word in _FILLER:
        if text == word or text.startswith(word + " "):
            text = text[len(word) :].strip()
    if not text:
        return 0
    if text in _TOMORROW:
        return 1
    found = re.match(r"^(\d{1,2})\b", text)
    if found and 1 <= int(found.group(1)) <= MAX_SNOOZE_DAYS:
        return int(found.group(1))
    return None


async def snooze(ctx: Context, argument: str) -> None:
    ref = next((w for w in argument.split() if "/" in w), None)
    if ref is not None:
        await remind_again(ctx, ref)
        return
    days = snooze_days(argument)
    if not days:
        ctx.reply(
            "snooze_choose", buttons=SNOOZE_CHOICES, text=argument.strip() if days is None else ""
        )
        return
    until = snooze_until(ctx.cohort, ctx.now, days, ctx.person.timezone)
    await ctx.store.update_person(ctx.person.id, snoozed_until=until)
    local = until.astimezone(_zone(ctx))
    ctx.reply("snoozed", day=local.date().isoformat(), at=local.time().isoformat("minutes"))


def parse_day(text: str, today: date) -> date | None:
    """``2027-08-03``, ``3.8.2027``, ``3.8.`` or ``3.8`` (the next 3 August from today)."""
    text = text.strip().rstrip(".")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        found = re.fullmatch(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?", text)
        if found is None:
            return None
        day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
        if year:
            return date(int(year), month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate > today else date(today.year + 1, month, day)
    except ValueError:
        return None


async def pause(ctx: Context, argument: str) -> None:
    text = argument.strip()
    for word in _FILLER:
        if text.lower().startswith(word + " "):
            text = text[len(word) :].strip()
    if not text:
        raise UserError("pause_date", problem="missing", text="")
    day = parse_day(text, ctx.today)
    if day is None:
        raise UserError("pause_date", problem="unreadable", text=text[:40])
    if day <= ctx.today:
        raise UserError("pause_date", problem="past", text=text[:40])
    if day > ctx.today + timedelta(days=MAX_PAUSE_DAYS):
        raise UserError("pause_date", problem="far", text=text[:40])
    await ctx.store.update_person(
        ctx.person.id, paused_until=pause_until(ctx.cohort, day), snoozed_until=None
    )
    ctx.reply("paused", day=day.isoformat())


async def resume(ctx: Context, _argument: str) -> None:
    was_off = _active(ctx.person.paused_until, ctx.now) or _active(
        ctx.person.snoozed_until, ctx.now
    )
    await ctx.store.update_person(ctx.person.id, paused_until=None, snoozed_until=None)
    # what the snooze held back goes out now, as the reply promises
    released = await release_held(ctx.store, ctx.catalog, ctx.person, ctx.now)
    ctx.reply("resumed", was_off=was_off or released > 0)


async def remind_again(ctx: Context, ref: str) -> None:
    """ "Remind me tomorrow" on a stage: that stage comes back in tomorrow's message (the
    next working day); every other reminder stays as it is."""
    module, _, stage = ref.partition("/")
    group = ctx.cohort.group_of(ctx.person.organisation)
    found = next(
        (
            (m, s, d)
            for m, s, d in scheduled_stages(ctx.programme, ctx.cohort, ctx.person.labs, group)
            if m.id == module and s.id == stage
        ),
        None,
    )
    if found is None:
        raise UserError("done_unknown")
    _m, _s, dates = found
    cohort = ctx.cohort
    day = calendar_for(cohort).next_working_day(ctx.today + timedelta(days=1))
    kind = OccasionKind.BEFORE_DUE if day < dates.due else OccasionKind.DUE
    occasion = Occasion(
        kind,
        person_moment(cohort, day, ctx.person.timezone),
        day,
        module,
        stage=stage,
        opens=dates.opens,
        due=dates.due,
        group=group if group in _per_group(ctx, module, stage) else None,
        days_left=(dates.due - day).days,
    )
    item = planned(cohort.id, ctx.person, day, [occasion])
    await ctx.store.enqueue([item], ctx.now, not_before=occasion.send_at)
    local = occasion.send_at.astimezone(_zone(ctx))
    ctx.reply("snoozed_stage", day=local.date().isoformat(), at=local.time().isoformat("minutes"))


def _per_group(ctx: Context, module: str, stage: str) -> dict[str, date]:
    """The gathering groups with a day of their own for the stage (none for most stages)."""
    sched = ctx.cohort.schedule_for(module)
    dates = sched.stages.get(stage) if sched else None
    return dates.due_by_group if dates else {}


def _zone(ctx: Context) -> ZoneInfo:
    """The person's own clock, for the times a reply names."""
    return ZoneInfo(ctx.person.timezone) if ctx.person.timezone else ctx.cohort.tz


def _active(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now
