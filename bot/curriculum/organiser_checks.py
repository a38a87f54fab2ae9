"""Checks on the parts of a schedule organisers use to run a region: dates per gathering
group, who an event is for, organisation names per language, the cohort's round, and
leadership-team work in a programme. Same ``file: path.field: problem (fix)`` problems."""

from __future__ import annotations

from collections.abc import Callable

from bot.curriculum.problems import Problem, Severity
from bot.curriculum.wording import entry_key
from bot.domain.cohort import NAME_LOCALES, Cohort
from bot.domain.programme import TEAM_KINDS, Activity, Programme, Scope, StageKind

Bad = Callable[[str, str, str], None]


def _listing(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "(none defined)"


def check_organiser_parts(cohort: Cohort, programme: Programme | None, file: str) -> list[Problem]:
    """Every problem of the cohort's per-group dates, event audiences, names and round."""
    problems: list[Problem] = []

    def bad(path: str, message: str, fix: str) -> None:
        problems.append(Problem(file, path, message, fix))

    def warn(path: str, message: str, fix: str) -> None:
        problems.append(Problem(file, path, message, fix, Severity.WARNING))

    _check_group_dates(cohort, programme, bad, warn)
    _check_audiences(cohort, bad)
    _check_names(cohort, bad)
    if cohort.round is not None and programme is not None:
        for locale in programme.locales:
            if not cohort.round.get(locale, "").strip():
                bad(
                    "round",
                    f"missing translation: no {locale} text",
                    f"add '{locale}: ...' under round, or write one text for all languages",
                )
    return problems


def _check_group_dates(cohort: Cohort, programme: Programme | None, bad: Bad, warn: Bad) -> None:
    """``due`` per group: known groups, every group that has organisations given a day, each
    day on or after the stage opens; pre-work due before the group's own gathering."""
    groups = {g.id for g in cohort.gathering_groups}
    used = {o.group for o in cohort.organisations if o.group is not None}
    raw_modules = [{"module": m.module} for m in cohort.modules]
    for mi, sched in enumerate(cohort.modules):
        where = f"modules.{entry_key(raw_modules, mi)}.stages"
        module = programme.module(sched.module) if programme else None
        days = {g.group: g.date for g in sched.gatherings}
        for stage_id, dates in sched.stages.items():
            if not dates.due_by_group:
                continue
            path = f"{where}.{stage_id}.due"
            for group, due in dates.due_by_group.items():
                if group not in groups:
                    bad(
                        f"{path}.{group}",
                        f"unknown gathering group {group!r}",
                        f"use one of {_listing(groups)}",
                    )
                if due < dates.opens:
                    bad(
                        f"{path}.{group}",
                        f"due before the stage opens ({due} < {dates.opens})",
                        "set it on or after opens",
                    )
            for group in sorted(used - set(dates.due_by_group)):
                bad(
                    path,
                    f"gathering group {group!r} has no date",
                    f"add '{group}: YYYY-MM-DD', or give one date for every group",
                )
            stage = module.stage(stage_id) if module else None
            if stage is None or stage.kind != StageKind.PRE_WORK:
                continue
            for group, due in dates.due_by_group.items():
                day = days.get(group)
                if day is not None and due >= day:
                    warn(
                        f"{path}.{group}",
                        f"pre-work due on or after the group's gathering ({day})",
                        "set it before the gathering day",
                    )


def _check_audiences(cohort: Cohort, bad: Bad) -> None:
    groups = {g.id for g in cohort.gathering_groups}
    orgs = {o.id for o in cohort.organisations}
    for event in cohort.events:
        audience = event.audience
        path = f"events.{event.id}.audience"
        if audience.group is not None and audience.group not in groups:
            bad(
                f"{path}.group",
                f"unknown gathering group {audience.group!r}",
                f"use one of {_listing(groups)}",
            )
        for org in audience.organisations:
            if org not in orgs:
                bad(
                    f"{path}.organisations",
                    f"unknown organisation {org!r}",
                    f"use one of {_listing(orgs)}",
                )
        if audience.organisation is not None and audience.organisations:
            bad(
                path,
                "both organisation and organisations are given",
                "list them all under organisations",
            )


def _check_names(cohort: Cohort, bad: Bad) -> None:
    for org in cohort.organisations:
        for locale, name in org.names.items():
            path = f"organisations.{org.id}.names.{locale}"
            if locale not in NAME_LOCALES:
                bad(
                    path,
                    f"names are not shown in locale {locale!r}",
                    f"use one of {', '.join(NAME_LOCALES)}",
                )
            if not name.strip():
                bad(path, "the name is empty", "write the official name or remove the line")


def check_team_scope(activity: Activity, path: str, bad: Callable[..., None]) -> None:
    """``scope: team`` only on work a leadership team does together and marks done once."""
    if activity.scope == Scope.TEAM and activity.kind not in TEAM_KINDS:
        kinds = ", ".join(sorted(k.value for k in TEAM_KINDS))
        bad(
            f"{path}.scope",
            f"a {activity.kind.value} is done by each person, not by a team",
            f"use scope: team only on {kinds}",
        )
