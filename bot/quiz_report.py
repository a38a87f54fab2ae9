"""`kompis report quiz`: how a cohort did in its quizzes, for organisers. Aggregates only:
per question the share right in the first take and the most common wrong choice; per
organisation how many of its leaders took the quiz and their mean best score. No person's
score is ever shown."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.domain.catalog import Catalog
from bot.domain.people import Role
from bot.domain.programme import ActivityKind, activity_ref
from bot.domain.quiz import QuestionStat, question_stats
from bot.domain.text import pick
from bot.storage.db import Database
from bot.storage.repo import Store, unit


@dataclass(frozen=True)
class OrganisationStat:
    organisation: str  # its name in the schedule
    leaders: int
    finished: int
    mean_best: float | None  # share right (0-1) of the best take, averaged over takers

    @property
    def participation(self) -> float:
        return self.finished / self.leaders if self.leaders else 0.0


@dataclass(frozen=True)
class QuizResult:
    ref: str
    title: str
    questions: list[QuestionStat]
    organisations: list[OrganisationStat]


def quiz_refs(catalog: Catalog, cohort_id: str, module: str | None) -> list[tuple[str, str]]:
    """(ref, title) of each quiz of the cohort's scheduled modules (of ``module`` only)."""
    cohort = catalog.cohort(cohort_id)
    programme = catalog.programme_of(cohort_id)
    found = []
    for schedule in cohort.modules:
        mod = programme.module(schedule.module)
        if mod is None or (module is not None and mod.id != module):
            continue
        for stage in mod.stages:
            for activity in stage.activities:
                if activity.kind == ActivityKind.QUIZ and stage.id in schedule.stages:
                    ref = activity_ref(mod, stage, activity)
                    found.append((ref, pick(activity.title, cohort.locale)))
    return found


async def build_report(
    store: Store, catalog: Catalog, cohort_id: str, module: str | None = None
) -> list[QuizResult]:
    cohort = catalog.cohort(cohort_id)
    programme = catalog.programme_of(cohort_id)
    leaders = [p for p in await store.people_in_cohort(cohort_id) if p.has(Role.PARTICIPANT)]
    ids = {p.id for p in leaders}
    results = []
    for ref, title in quiz_refs(catalog, cohort_id, module):
        found = programme.activity(ref)
        assert found is not None
        activity = found[2]
        takes = [a for a in await store.quiz_attempts(ids, ref) if a.person_id in ids]
        first = [a.id for a in takes if a.number == 1]
        answers = await store.quiz_answers(first)
        best: dict[int, float] = {}
        for take in takes:
            if take.finished and take.total:
                best[take.person_id] = max(best.get(take.person_id, 0.0), take.score / take.total)
        organisations = []
        for org in cohort.organisations:
            mine = [p.id for p in leaders if p.organisation == org.id]
            if not mine:
                continue
            scores = [best[p] for p in mine if p in best]
            mean = sum(scores) / len(scores) if scores else None
            organisations.append(OrganisationStat(org.name, len(mine), len(scores), mean))
        results.append(QuizResult(ref, title, question_stats(activity, answers), organisations))
    return results


async def report(
    database_url: str, catalog: Catalog, cohort_id: str, module: str | None
) -> list[QuizResult]:
    db = Database(database_url)
    try:
        await db.upgrade()
        async with unit(db) as store:
            return await build_report(store, catalog, cohort_id, module)
    finally:
        await db.dispose()


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{round(share * 100)} %"


def _wrong(stat: QuestionStat, locale: str) -> str:
    if stat.common_wrong is None:
        return "-"
    options = stat.question.options
    return " + ".join(f"{n + 1}. {pick(options[n], locale)}" for n in sorted(stat.common_wrong))


def render(
    results: list[QuizResult], locale: str, console: Console, heading: str | None = None
) -> None:
    if heading:
        console.print(heading)
    if not results:
        console.print("No quiz in this cohort's schedule.")
    for result in results:
        questions = Table(title=f"{result.title} ({result.ref}): questions")
        for column in ("#", "question", "answered", "right first time", "most common wrong"):
            questions.add_column(column)
        for n, stat in enumerate(result.questions, 1):
            text = pick(stat.question.text, locale)
            questions.add_row(
                str(n),
                text if len(text) <= 60 else text[:59] + "…",
                str(stat.answered),
                _percent(stat.share_right),
                _wrong(stat, locale),
            )
        console.print(questions)
        orgs = Table(title=f"{result.title}: organisations")
        for column in ("organisation", "leaders", "took it", "participation", "mean best"):
            orgs.add_column(column)
        for org in result.organisations:
            orgs.add_row(
                org.organisation,
                str(org.leaders),
                str(org.finished),
                _percent(org.participation),
                _percent(org.mean_best),
            )
        console.print(orgs)


CSV_COLUMNS = [
    "quiz",
    "row",
    "question",
    "answered",
    "right_first_time",
    "most_common_wrong",
    "organisation",
    "leaders",
    "finished",
    "mean_best",
]


def write_csv(results: list[QuizResult], locale: str, path: Path) -> None:
    """One row per question (``row=question``) and per organisation (``row=organisation``);
    shares as decimals (0.75)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, CSV_COLUMNS)
        out.writeheader()
        for result in results:
            for stat in result.questions:
                share = stat.share_right
                out.writerow(
                    {
                        "quiz": result.ref,
                        "row": "question",
                        "question": stat.question.id,
                        "answered": stat.answered,
                        "right_first_time": "" if share is None else f"{share:.2f}",
                        "most_common_wrong": _wrong(stat, locale) if stat.common_wrong else "",
                    }
                )
            for org in result.organisations:
                out.writerow(
                    {
                        "quiz": result.ref,
                        "row": "organisation",
                        "organisation": org.organisation,
                        "leaders": org.leaders,
                        "finished": org.finished,
                        "mean_best": "" if org.mean_best is None else f"{org.mean_best:.2f}",
                    }
                )
