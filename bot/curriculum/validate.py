"""Cross-field checks the models alone cannot make: references, dates, translations, limits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.curriculum.limits import QUIZ, TEXT
from bot.curriculum.participants import read_participants
from bot.curriculum.problems import Problem
from bot.domain.cohort import Cohort
from bot.domain.people import Role
from bot.domain.programme import LABS_MODULE, ActivityKind, Programme
from bot.domain.text import LOCALES


def _local_texts(node: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every localised text in a model tree, with its dotted path."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _local_texts(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        yield path, node
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _local_texts(item, f"{path}.{index}")


def _duplicates(ids: list[str]) -> list[str]:
    return [item for item, count in Counter(ids).items() if count > 1]


def check_programme(programme: Programme, file: str) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: str, message: str, fix: str = "") -> None:
        problems.append(Problem(file, path, message, fix))

    for locale in programme.locales:
        if locale not in LOCALES:
            bad("locales", f"unknown locale {locale!r}", f"use {', '.join(LOCALES)}")
    if programme.default_locale not in programme.locales:
        bad(
            "default_locale", f"{programme.default_locale!r} is not in locales", "add it to locales"
        )
    for path, text in _local_texts(programme, ""):
        for locale in programme.locales:
            if not text.get(locale, "").strip():
                bad(
                    path,
                    f"missing translation: no {locale} text",
                    f"add '{locale}: ...' under {path.rsplit('.', 1)[-1]}",
                )
        for locale, value in text.items():
            if locale not in LOCALES:
                bad(f"{path}.{locale}", f"unknown locale {locale!r}", f"use {', '.join(LOCALES)}")
            field = next(part for part in reversed(path.split(".")) if not part.isdigit())
            limit = TEXT.get(field, TEXT["default"])
            if len(value) > limit:
                bad(
                    f"{path}.{locale}",
                    f"is {len(value)} characters; the limit is {limit}",
                    "shorten it",
                )
    for dup in _duplicates([m.id for m in programme.modules]):
        bad("modules", f"module id {dup!r} is used twice", "give each module its own id")
    if programme.labs and programme.labs_title is None:
        bad("labs_title", "is missing", "name the lab track, e.g. 'sv: Lärlabb'")
    if any(m.id == LABS_MODULE for m in programme.modules):
        bad(
            "modules",
            f"module id {LABS_MODULE!r} is reserved for the lab track",
            "choose another id",
        )
    for dup in _duplicates([lab.id for lab in programme.labs]):
        bad("labs", f"lab id {dup!r} is used twice", "give each lab its own id")
    for mi, module in enumerate(programme.modules):
        for dup in _duplicates([s.id for s in module.stages]):
            bad(f"modules.{mi}.stages", f"stage id {dup!r} is used twice")
        for si, stage in enumerate(module.stages):
            for dup in _duplicates([a.id for a in stage.activities]):
                bad(f"modules.{mi}.stages.{si}.activities", f"activity id {dup!r} is used twice")
            for ai, activity in enumerate(stage.activities):
                _check_activity(activity, f"modules.{mi}.stages.{si}.activities.{ai}", bad)
    return problems


def _check_activity(activity: Any, path: str, bad: Any) -> None:
    if (
        activity.kind in (ActivityKind.REFLECTION, ActivityKind.GROUP_TASK, ActivityKind.AMBITION)
        and activity.body is None
    ):
        bad(f"{path}.body", "is missing", "write what the person is asked to do")
    if activity.kind == ActivityKind.QUIZ and not activity.questions:
        bad(f"{path}.questions", "a quiz needs questions", "add at least one question")
    if activity.kind != ActivityKind.QUIZ and activity.questions:
        bad(f"{path}.questions", "only a quiz has questions", "set kind: quiz or remove them")
    if activity.kind == ActivityKind.SURVEY and not 2 <= len(activity.scale) <= 10:
        bad(f"{path}.scale", "a survey needs 2 to 10 scale labels", "list one label per step")
    for qi, question in enumerate(activity.questions):
        qpath = f"{path}.questions.{qi}"
        if not QUIZ["min_options"] <= len(question.options) <= QUIZ["max_options"]:
            bad(
                f"{qpath}.options",
                f"has {len(question.options)} options",
                f"give {QUIZ['min_options']} to {QUIZ['max_options']}",
            )
        if not 0 <= question.correct < len(question.options):
            bad(
                f"{qpath}.correct",
                f"{question.correct} is not an option index",
                f"use 0 to {len(question.options) - 1} (0 is the first option)",
            )
        for locale, text in question.explanation.items():
            if text.count("\n") > QUIZ["explanation_line_feeds"]:
                bad(
                    f"{qpath}.explanation.{locale}", "has more than 2 line breaks", "join the lines"
                )


def check_cohort(
    cohort: Cohort, programmes: dict[str, Programme], file: str, folder: Path
) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: str, message: str, fix: str = "") -> None:
        problems.append(Problem(file, path, message, fix))

    programme = programmes.get(cohort.programme)
    if programme is None:
        bad(
            "programme",
            f"unknown programme {cohort.programme!r}",
            f"use one of {', '.join(sorted(programmes)) or '(none loaded)'}",
        )
    elif cohort.locale not in programme.locales:
        bad(
            "locale",
            f"the programme has no {cohort.locale!r} text",
            f"use one of {', '.join(programme.locales)}",
        )
    if cohort.locale not in LOCALES:
        bad("locale", f"unknown locale {cohort.locale!r}", f"use {', '.join(LOCALES)}")
    groups = {g.id for g in cohort.gathering_groups}
    orgs = {o.id for o in cohort.organisations}
    for dup in _duplicates([o.id for o in cohort.organisations]):
        bad("organisations", f"organisation id {dup!r} is used twice")
    for oi, org in enumerate(cohort.organisations):
        if org.group is not None and org.group not in groups:
            bad(
                f"organisations.{oi}.group",
                f"unknown gathering group {org.group!r}",
                f"use one of {', '.join(sorted(groups)) or '(none defined)'}",
            )
    for mi, sched in enumerate(cohort.modules):
        module = programme.module(sched.module) if programme else None
        if programme is not None and module is None:
            bad(
                f"modules.{mi}.module",
                f"unknown module reference {sched.module!r}",
                f"use one of {', '.join(m.id for m in programme.modules)}",
            )
        previous = None
        for stage_id, dates in sched.stages.items():
            path = f"modules.{mi}.stages.{stage_id}"
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
                        f"modules.{mi}.stages",
                        f"stage {stage.id!r} has no dates",
                        f"add '{stage.id}: {{opens: YYYY-MM-DD, due: YYYY-MM-DD}}'",
                    )
        for gi, gathering in enumerate(sched.gatherings):
            if gathering.group not in groups:
                bad(
                    f"modules.{mi}.gatherings.{gi}.group",
                    f"unknown gathering group {gathering.group!r}",
                    f"use one of {', '.join(sorted(groups)) or '(none defined)'}",
                )
            if gathering.end <= gathering.start:
                bad(f"modules.{mi}.gatherings.{gi}.end", "ends before it starts")
    for ei, event in enumerate(cohort.events):
        audience = event.audience
        if audience.organisation is not None and audience.organisation not in orgs:
            bad(
                f"events.{ei}.audience.organisation",
                f"unknown organisation {audience.organisation!r}",
                "use an organisation id",
            )
        if audience.role is not None and audience.role not in {r.value for r in Role}:
            bad(
                f"events.{ei}.audience.role",
                f"unknown role {audience.role!r}",
                "use participant, coordinator or organiser",
            )
    if cohort.labs is not None:
        if programme is not None and not programme.labs:
            bad("labs", "the programme has no labs", "remove the lab window")
        if cohort.labs.due < cohort.labs.opens:
            bad("labs.due", "labs due before they open", "set due on or after opens")
    if cohort.max_labs and cohort.labs is None:
        bad(
            "labs",
            "max_labs is set but the labs have no dates",
            "add 'labs: {opens: YYYY-MM-DD, due: YYYY-MM-DD}'",
        )
    policy = cohort.reminders
    if policy.in_quiet_hours(policy.send_time):
        bad(
            "reminders.send_time",
            f"{policy.send_time:%H:%M} is inside the quiet hours",
            f"send between {policy.quiet_end:%H:%M} and {policy.quiet_start:%H:%M}",
        )
    if any(days < 1 for days in policy.before_due_days):
        bad("reminders.before_due_days", "days before the deadline must be 1 or more")
    if cohort.participants:
        csv_path = folder / cohort.participants
        if not csv_path.exists():
            bad(
                "participants",
                f"no file {cohort.participants!r} beside the schedule",
                "create it or remove the line",
            )
        else:
            problems += read_participants(
                csv_path, cohort, shown_as=str(Path(file).parent / cohort.participants)
            )[1]
    return problems
