"""The coordinator's weekly overview of the other leaders of their organisation, as one part
of their message (a coordinator is never listed in their own overview)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain.cohort import Cohort, organisation_label
from bot.domain.people import Person, Role
from bot.domain.planner import Occasion, OccasionKind
from bot.domain.programme import ActivityKind
from bot.domain.progress import StageStatus, stage_statuses
from bot.features.parts import Part

if TYPE_CHECKING:
    from bot.features.fanout import Audience

#: A coordinator hears about people behind only once a stage has been open this long.
DIGEST_AFTER_OPEN_DAYS = 5


def digest_part(a: Audience, occasion: Occasion, person: Person, today: date) -> Part | None:
    """The coordinator's overview, only when there is something to act on: someone behind
    in a stage open for some days, or a deadline this week; never when all are done."""
    if not person.has(Role.COORDINATOR) or person.organisation is None:
        return None
    leaders = [
        p
        for p in a.people
        if p.organisation == person.organisation and p.has(Role.PARTICIPANT) and p.id != person.id
    ]
    if not leaders:
        return None
    week_end = today + timedelta(days=6 - today.weekday())
    stages = [
        s
        for s in stage_statuses(a.programme, a.cohort, set(), group=a.group_of(person))
        if s.tracked
        and s.opens <= today <= s.due
        and ((today - s.opens).days >= DIGEST_AFTER_OPEN_DAYS or s.due <= week_end)
    ]
    refs = [x.ref for s in stages for x in s.tracked]
    rows = [
        {"name": p.name, "done": sum(r in a.done.get(p.id, set()) for r in refs)} for p in leaders
    ]
    if not refs or all(r["done"] == len(refs) for r in rows):
        return None
    unreachable = sorted(p.name for p in leaders if p.id in a.unreachable)
    params = {
        "organisation": _org_name(a.cohort, person.organisation),
        "total": len(refs),
        "leaders": sorted(rows, key=lambda x: (x["done"], x["name"])),
        "stages": [
            {"stage": s.stage.title, "module": s.module.title, "due": s.due.isoformat()}
            for s in stages
        ],
        "unreachable": unreachable,
        "quizzes": _quizzes(a, stages, leaders),
    }
    return Part(OccasionKind.DIGEST, "digest", params, (), "digest")


def _quizzes(a: Audience, stages: list[StageStatus], leaders: list[Person]) -> list[dict[str, Any]]:
    """How many of the leaders have finished each quiz in the overview (never who scored
    what: scores are private)."""
    return [
        {
            "title": x.activity.title,
            "taken": sum(x.ref in a.done.get(p.id, set()) for p in leaders),
            "leaders": len(leaders),
        }
        for s in stages
        for x in s.tracked
        if x.activity.kind == ActivityKind.QUIZ
    ]


def _org_name(cohort: Cohort, org_id: str) -> str | dict[str, str]:
    """The name in every language (rendered in the reader's), or the id if it is unknown."""
    org = cohort.organisation(org_id)
    return organisation_label(org) if org else org_id
