"""Dates organisers get wrong: gatherings on a weekend or a holiday or outside their module,
deadlines on days off, reminders that can never be sent."""

from __future__ import annotations

from datetime import date

import holidays

from bot.curriculum.problems import Problem, Severity
from bot.curriculum.wording import entry_key
from bot.domain.calendar import WorkCalendar
from bot.domain.cohort import Cohort

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_off(country: str, day: date) -> str | None:
    """Why ``day`` is not a working day in ``country`` ("a Saturday", "Christmas Day"), or
    None when it is one."""
    if day.weekday() >= 5:
        return f"a {_WEEKDAYS[day.weekday()]}"
    if WorkCalendar(country).is_holiday(day):
        name = holidays.country_holidays(country, years=day.year, language="en_US").get(day)
        if name is None:
            name = {(12, 24): "Christmas Eve", (12, 31): "New Year's Eve"}.get(
                (day.month, day.day), "Midsummer Eve"
            )
        return f"a public holiday ({name})"
    return None


def check_calendar(cohort: Cohort, file: str) -> list[Problem]:
    problems: list[Problem] = []
    country = cohort.country
    raw_modules = [{"module": m.module} for m in cohort.modules]
    moves_due = bool(getattr(cohort.reminders, "due_on_working_day", False))
    longest: tuple[int, str] = (0, "")
    for mi, sched in enumerate(cohort.modules):
        where = f"modules.{entry_key(raw_modules, mi)}"
        windows = list(sched.stages.values())
        for stage_id, dates in sched.stages.items():
            length = (dates.due - dates.opens).days
            if length > longest[0]:
                longest = (length, f"{sched.module}/{stage_id}")
            why = day_off(country, dates.due)
            if why and not moves_due:
                problems.append(
                    Problem(
                        file,
                        f"{where}.stages.{stage_id}.due",
                        f"{dates.due} is {why}",
                        "move the deadline to a working day, or set "
                        "'due_on_working_day: true' under reminders",
                        Severity.WARNING,
                    )
                )
        raw_gatherings = [{"group": g.group, "date": g.date} for g in sched.gatherings]
        for gi, gathering in enumerate(sched.gatherings):
            path = f"{where}.gatherings.{entry_key(raw_gatherings, gi)}.date"
            why = day_off(country, gathering.date)
            if why:
                problems.append(
                    Problem(file, path, f"{gathering.date} is {why}", "choose a working day")
                )
            if windows:
                first = min(d.opens for d in windows)
                last = max(d.due for d in windows)
                if not first <= gathering.date <= last:
                    problems.append(
                        Problem(
                            file,
                            path,
                            f"{gathering.date} is outside module {sched.module!r}, which runs "
                            f"from {first} to {last}",
                            "move the gathering into the module's dates, or check the year",
                        )
                    )
    for event in cohort.events:
        why = day_off(country, event.date)
        if why:
            problems.append(
                Problem(
                    file,
                    f"events.{event.id}.date",
                    f"{event.date} is {why}",
                    "choose a working day",
                    Severity.WARNING,
                )
            )
    for days in sorted(set(cohort.reminders.before_due_days)):
        if longest[1] and days >= longest[0]:
            problems.append(
                Problem(
                    file,
                    "reminders.before_due_days",
                    f"{days} days before the deadline is before every stage opens (the longest, "
                    f"{longest[1]}, is {longest[0]} days), so this reminder is never sent",
                    f"use a number below {longest[0]}",
                )
            )
    return problems
