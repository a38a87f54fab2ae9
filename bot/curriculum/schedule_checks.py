"""Checks on a cohort schedule the models alone cannot make: references, dates, texts.

Paths name entries by id (``modules.ledelse.stages.forarbeid.due``), not by position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.curriculum.buddy_checks import check_buddies
from bot.curriculum.calendar_checks import check_calendar
from bot.curriculum.organiser_checks import check_organiser_parts
from bot.curriculum.participant_checks import check_participants
from bot.curriculum.problems import Problem, Severity
from bot.curriculum.wording import entry_key
from bot.domain.cohort import Cohort, LabWindow
from bot.domain.people import Role
from bot.domain.programme import Programme
from bot.domain.text import LOCALES


def _duplicates(ids: list[str]) -> list[str]:
    return [item for item, count in Counter(ids).items() if count > 1]


def _listing(ids: list[str] | set[str]) -> str:
    return ", ".join(sorted(ids)) or "(none defined)"


def check_cohort(
    cohort: Cohort,
    programmes: dict[str, Programme],
    file: str,
    folder: Path,
    skipped: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every problem of ``cohort``; ``skipped`` are programmes that failed to load, which are
    reported once, where they are, and not again as unknown here."""
    problems: list[Problem] = []

    def bad(path: str, message: str, fix: str = "") -> None:
        problems.append(Problem(file, path, message, fix))

    programme = programmes.get(cohort.programme)
    if cohort.programme in skipped:
        problems.append(
            Problem(
                file,
                "programme",
                f"checked without programme {cohort.programme!r}, which was skipped because "
                "of its problems above",
                "fix those, then run kompis check again",
                Severity.NOTE,
            )
        )
    elif programme is None:
        bad(
            "programme",
            f"unknown programme {cohort.programme!r}",
            f"use one of {_listing(set(programmes))}",
        )
    elif cohort.locale not in programme.locales:
        bad(
            "locale",
            f"the programme has no {cohort.locale!r} text",
            f"use one of {', '.join(programme.locales)}",
        )
    if cohort.locale not in LOCALES:
        bad("locale", f"unknown locale {cohort.locale!r}", f"use {', '.join(LOCALES)}")
    _check_labels(cohort, programme, bad)
    groups = {g.id for g in cohort.gathering_groups}
    orgs = {o.id for o in cohort.organisations}
    for dup in _duplicates([o.id for o in cohort.organisations]):
        bad("organisations", f"organisation id {dup!r} is used twice", "give each its own id")
    for org in cohort.organisations:
        if org.group is not None and org.group not in groups:
            bad(
                f"organisations.{org.id}.group",
                f"unknown gathering group {org.group!r}",
                f"use one of {_listing(groups)}",
            )
    raw_modules = [{"module": m.module} for m in cohort.modules]
    for mi, sched in enumerate(cohort.modules):
        where = f"modules.{entry_key(raw_modules, mi)}"
        module = programme.module(sched.module) if programme else None
        if programme is not None and module is None:
            bad(
                f"{where}.module",
                f"unknown module reference {sched.module!r}",
                f"use one of {', '.join(m.id for m in programme.modules)}",
            )
        previous = None
        for stage_id, dates in sched.stages.items():
            path = f"{where}.stages.{stage_id}"
            if module is not None and module.stage(stage_id) is None:
                bad(
                    path,
                    f"module {sched.module!r} has no stage {stage_id!r}",
                    f"use one of {', '.join(s.id for s in module.stages)}",
                )
            if dates.due < dates.opens:
                bad(
                    f"{path}.due",
                    f"stage due before it opens ({dates.due} < {dates.opens})",
                    "set due on or after opens",
                )
            if previous is not None and dates.opens < previous:
                bad(
                    f"{path}.opens",
                    "opens before the stage listed before it",
                    "list stages in order",
                )
            previous = dates.opens
        if module is not None:
            for stage in module.stages:
                if stage.id not in sched.stages:
                    bad(
                        f"{where}.stages",
                        f"stage {stage.id!r} has no dates",
                        f"add '{stage.id}: {{opens: YYYY-MM-DD, due: YYYY-MM-DD}}'",
                    )
        raw_gatherings = [{"group": g.group, "date": g.date} for g in sched.gatherings]
        for gi, gathering in enumerate(sched.gatherings):
            gpath = f"{where}.gatherings.{entry_key(raw_gatherings, gi)}"
            if gathering.group not in groups:
                bad(
                    f"{gpath}.group",
                    f"unknown gathering group {gathering.group!r}",
                    f"use one of {_listing(groups)}",
                )
            if gathering.end <= gathering.start:
                bad(
                    f"{gpath}.end",
                    f"ends at {gathering.end:%H:%M}, before it starts at {gathering.start:%H:%M}",
                    "set end after start",
                )
    for event in cohort.events:
        audience = event.audience
        if audience.organisation is not None and audience.organisation not in orgs:
            bad(
                f"events.{event.id}.audience.organisation",
                f"unknown organisation {audience.organisation!r}",
                f"use one of {_listing(orgs)}",
            )
        if audience.role is not None and audience.role not in {r.value for r in Role}:
            bad(
                f"events.{event.id}.audience.role",
                f"unknown role {audience.role!r}",
                "use participant, coordinator or organiser",
            )
    if cohort.labs is not None:
        if programme is not None and not programme.labs:
            bad("labs", "the programme has no labs", "remove the lab window")
        if cohort.labs.due < cohort.labs.opens:
            bad("labs.due", "labs due before they open", "set due on or after opens")
        _check_lab_dates(cohort.labs, programme, bad)
    if cohort.max_labs and cohort.labs is None:
        bad(
            "labs",
            "max_labs is set but the labs have no dates",
            "add 'labs: {opens: YYYY-MM-DD, due: YYYY-MM-DD}'",
        )
    if any(days < 1 for days in cohort.reminders.before_due_days):
        bad(
            "reminders.before_due_days",
            "days before the deadline must be 1 or more",
            "use 1 or more",
        )
    problems += check_calendar(cohort, file)
    problems += check_organiser_parts(cohort, programme, file)
    problems += check_buddies(cohort, file)
    if cohort.participants:
        csv_path = folder / cohort.participants
        if not csv_path.exists():
            bad(
                "participants",
                f"no file {cohort.participants!r} beside the schedule",
                "create it or remove the line",
            )
        else:
            shown = str(Path(file).parent / cohort.participants)
            problems += check_participants(csv_path, cohort, programme, shown)
    return problems


def _check_lab_dates(
    window: LabWindow, programme: Programme | None, bad: Callable[..., None]
) -> None:
    """A lab's own dates: a lab of the programme, due on or after it opens, inside the window."""
    known = {lab.id for lab in programme.labs} if programme is not None else None
    for lab_id, own in window.dates.items():
        path = f"labs.dates.{lab_id}"
        if known is not None and lab_id not in known:
            bad(path, f"unknown lab {lab_id!r}", f"use one of {_listing(known)}")
        if own.due < own.opens:
            bad(f"{path}.due", "the lab is due before it opens", "set due on or after opens")
        if own.opens < window.opens or own.due > window.due:
            bad(
                path,
                f"the lab's dates are outside the lab window "
                f"({window.opens.isoformat()} to {window.due.isoformat()})",
                "move them inside the window or widen the window",
            )


def _check_labels(cohort: Cohort, programme: Programme | None, bad: Callable[..., None]) -> None:
    """Names and places written per language need every language the programme speaks, or a
    message would mix languages."""
    if programme is None:
        return
    labels: list[tuple[str, dict[str, str]]] = [("name", cohort.name)]
    labels += [(f"gathering_groups.{g.id}.name", g.name) for g in cohort.gathering_groups]
    for mi, sched in enumerate(cohort.modules):
        raw = [{"group": g.group, "date": g.date} for g in sched.gatherings]
        module = entry_key([{"module": m.module} for m in cohort.modules], mi)
        labels += [
            (f"modules.{module}.gatherings.{entry_key(raw, gi)}.place", g.place)
            for gi, g in enumerate(sched.gatherings)
        ]
    for event in cohort.events:
        labels.append((f"events.{event.id}.title", event.title))
        if event.place is not None:
            labels.append((f"events.{event.id}.place", event.place))
    for path, text in labels:
        for locale in programme.locales:
            if not text.get(locale, "").strip():
                field = path.rsplit(".", 1)[-1]
                bad(
                    path,
                    f"missing translation: no {locale} text",
                    f"add '{locale}: ...' under {field}, or write one text for all languages",
                )
