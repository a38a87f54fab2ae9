"""The end of a quiz: the score (and the best one, on a retake), which questions were wrong,
where to read more, and, where the cohort has it, the anonymous league."""

from __future__ import annotations

from typing import cast

from bot.domain.messages import Button
from bot.domain.ports_quiz import QuizPort
from bot.domain.programme import Activity
from bot.domain.quiz import Attempt, Scores, league, wrong_questions
from bot.features.context import Context
from bot.features.quiz_views import resource_of
from bot.rendering.i18n import N_


async def summary(ctx: Context, attempt: Attempt, activity: Activity) -> None:
    store = cast(QuizPort, ctx.store)
    answers = await store.quiz_answers([attempt.id])
    wrong = wrong_questions(activity, answers)
    scores = await store.quiz_scores(ctx.person.id, attempt.ref)
    found = ctx.programme.activity(attempt.ref)
    resource = resource_of(found[0], found[1]) if found and wrong else None
    ctx.reply(
        "quiz_summary",
        title=activity.title,
        score=attempt.score,
        total=attempt.total,
        best=scores.best if scores and attempt.number > 1 else None,
        wrong=[{"number": n + 1, "question": activity.questions[n].text} for n in wrong],
        resource={"title": resource.title, "url": resource.url} if resource else None,
        league=await _league(ctx, attempt.ref) if ctx.cohort.quiz_league else None,
        buttons=(
            Button(N_("Take the quiz again"), f"quiz_retake:{attempt.ref}"),
            Button(N_("Status"), "status"),
        ),
    )


async def _league(ctx: Context, ref: str) -> list[str]:
    """The organisations of the three best (best score of each person who finished)."""
    store = cast(QuizPort, ctx.store)
    people = [p for p in await store.people_in_cohort(ctx.person.cohort_id)]
    attempts = [a for a in await store.quiz_attempts([p.id for p in people], ref) if a.finished]
    best: dict[int, Scores] = {}
    for a in attempts:
        before = best.get(a.person_id)
        takes = before.takes + 1 if before else 1
        top = max(a.score, before.best) if before else a.score
        best[a.person_id] = Scores(top, a.score, a.total, takes)
    organisation_of = {p.id: p.organisation for p in people}
    names = []
    for org_id in league(best, organisation_of):
        org = ctx.cohort.organisation(org_id)
        names.append(org.name if org else org_id)
    return names


async def show_league(ctx: Context, ref: str | None) -> None:
    """``quiz league``: the anonymous top three of the current quiz, where the cohort has a
    league; else it says there is none."""
    found = ctx.programme.activity(ref) if ref else None
    if not ctx.cohort.quiz_league or found is None:
        ctx.reply("quiz_no_league", buttons=(Button(N_("Take the quiz"), "quiz"),))
        return
    assert ref is not None
    ctx.reply(
        "quiz_league",
        title=found[2].title,
        league=await _league(ctx, ref),
        buttons=(Button(N_("Take the quiz"), "quiz"),),
    )
