"""Taking a quiz in chat: ``quiz`` (a button on the stage message or its reminder does the
same) starts the open quiz, or resumes a take left half done; one question at a time, with
feedback right away (right or wrong, the right answer, the explanation), then the next; a
summary at the end. ``quiz again`` (or the summary's button) is a retake; the best and the
latest score are kept. Finishing counts as the quiz done, so reminders stop chasing it.

Buttons and poll answers name the take and the question (``quiz_answer:<take>:<question>:<n>``),
so a double press, a stale button, an answer to a finished take or to someone else's each
get a clear reply and are never counted twice.
"""

from __future__ import annotations

from typing import cast

from bot.domain.messages import Button
from bot.domain.ports_quiz import QuizPort
from bot.domain.programme import Activity, ActivityKind, QuizQuestion
from bot.domain.progress import current, next_open
from bot.domain.quiz import Attempt, is_right, parse_options
from bot.errors import UserError
from bot.features import conversation
from bot.features.context import Context
from bot.features.progress import statuses
from bot.features.quiz_summary import show_league, summary
from bot.features.quiz_views import feedback_message, question_message
from bot.rendering.i18n import N_

#: ``quiz again``: take it once more
AGAIN_WORDS = {"again", "retake", "igjen", "på nytt", "pa nytt", "igen", "en gång till"}
#: ``quiz league``: the anonymous top three, where the cohort has it
LEAGUE_WORDS = {"league", "liga", "ligaen", "ligan", "topp", "toppliste", "topplista"}
STATUS = Button(N_("Status"), "status")


def _store(ctx: Context) -> QuizPort:
    return cast(QuizPort, ctx.store)


def _quiz(ctx: Context, ref: str) -> Activity:
    found = ctx.programme.activity(ref)
    if found is None or found[2].kind != ActivityKind.QUIZ or not found[2].questions:
        raise UserError("quiz_none", buttons=(STATUS,))
    return found[2]


async def _current_ref(ctx: Context) -> str | None:
    """The open quiz not taken yet; else the last taken one in a stage still open."""
    stages = await statuses(ctx)
    item = next_open(stages, ctx.today, ActivityKind.QUIZ)
    if item is not None:
        return item.ref
    taken = [
        a.ref
        for s in current(stages, ctx.today)
        for a in s.activities
        if a.activity.kind == ActivityKind.QUIZ
    ]
    return taken[-1] if taken else None


async def start(ctx: Context, argument: str) -> None:
    """``quiz``: the open quiz (resumed where it was left); ``quiz again``: a retake;
    ``quiz:<ref>`` (a button): that quiz."""
    given = argument.strip()
    if given.lower() in LEAGUE_WORDS:
        await show_league(ctx, await _current_ref(ctx))
        return
    again = given.lower() in AGAIN_WORDS
    ref = given if given and not again else await _current_ref(ctx)
    if ref is None:
        ctx.reply("quiz_none", buttons=(STATUS,))
        return
    activity = _quiz(ctx, ref)
    latest = await _store(ctx).latest_quiz_attempt(ctx.person.id, ref)
    if latest is not None and not latest.finished:
        await _ask(ctx, activity, latest, resumed=True)
    elif latest is not None and not again:
        scores = await _store(ctx).quiz_scores(ctx.person.id, ref)
        assert scores is not None
        ctx.reply(
            "quiz_taken",
            title=activity.title,
            best=scores.best,
            latest=scores.latest,
            total=scores.total,
            buttons=(Button(N_("Take the quiz again"), f"quiz_retake:{ref}"), STATUS),
        )
    else:
        await _new(ctx, ref, activity)


async def retake(ctx: Context, argument: str) -> None:
    """``quiz_retake:<ref>``: a new take (or the unfinished one, resumed)."""
    ref = argument.strip()
    activity = _quiz(ctx, ref)
    latest = await _store(ctx).latest_quiz_attempt(ctx.person.id, ref)
    if latest is not None and not latest.finished:
        await _ask(ctx, activity, latest, resumed=True)
    else:
        await _new(ctx, ref, activity)


async def _new(ctx: Context, ref: str, activity: Activity) -> None:
    attempt = await _store(ctx).start_quiz_attempt(
        ctx.person.id, ref, len(activity.questions), ctx.now
    )
    await _ask(ctx, activity, attempt)


async def _ask(ctx: Context, activity: Activity, attempt: Attempt, resumed: bool = False) -> None:
    key = question_message(ctx, activity, attempt, resumed=resumed)
    await _store(ctx).set_quiz_state(attempt.id, asked_key=key)
    await conversation.start(ctx, conversation.QUIZ, attempt=attempt.id, ref=attempt.ref)


async def _current(
    ctx: Context, attempt_id: str, question_id: str
) -> tuple[Attempt, Activity, QuizQuestion] | None:
    """The take and question a button or poll answer names, if it is the one waiting;
    otherwise a clear reply and None."""
    attempt = await _store(ctx).quiz_attempt(int(attempt_id)) if attempt_id.isdigit() else None
    if attempt is None or attempt.person_id != ctx.person.id:
        ctx.reply("quiz_not_yours", buttons=(Button(N_("Take the quiz"), "quiz"),))
        return None
    activity = _quiz(ctx, attempt.ref)
    if attempt.finished:
        ctx.reply(
            "quiz_closed",
            title=activity.title,
            buttons=(Button(N_("Take the quiz again"), f"quiz_retake:{attempt.ref}"),),
        )
        return None
    if attempt.position >= len(activity.questions):  # the content lost questions meanwhile
        ctx.reply("quiz_none", buttons=(STATUS,))
        return None
    question = activity.questions[attempt.position]
    if question.id != question_id:
        ctx.reply(
            "quiz_answered_already",
            buttons=(Button(N_("Continue the quiz"), f"quiz_retake:{attempt.ref}"),),
        )
        return None
    return attempt, activity, question


def _parts(argument: str, count: int) -> list[str]:
    parts = argument.split(":")
    return parts if len(parts) == count else ["", "", ""][:count]


async def answer(ctx: Context, argument: str) -> None:
    """``quiz_answer:<take>:<question>:<n>``: a single-choice option (button or poll)."""
    attempt_id, question_id, given = _parts(argument, 3)
    found = await _current(ctx, attempt_id, question_id)
    if found is None:
        return
    attempt, activity, question = found
    chosen = parse_options(given, len(question.options))
    if chosen is None or (len(chosen) > 1 and not question.multiple):
        raise UserError("quiz_bad_number", count=len(question.options))
    if question.multiple:  # an old single-choice button for a question now multiple
        await pick(ctx, argument)
        return
    await _settle(ctx, attempt, activity, question, chosen)


async def pick(ctx: Context, argument: str) -> None:
    """``quiz_pick:<take>:<question>:<n>``: choose (or un-choose) an option of a multiple-
    choice question; the question message shows what is chosen."""
    attempt_id, question_id, given = _parts(argument, 3)
    found = await _current(ctx, attempt_id, question_id)
    if found is None:
        return
    attempt, activity, question = found
    chosen = parse_options(given, len(question.options))
    if chosen is None:
        raise UserError("quiz_bad_number", count=len(question.options))
    picked = attempt.picked ^ chosen
    await _store(ctx).set_quiz_state(attempt.id, picked=picked)
    now = Attempt(**{**attempt.__dict__, "picked": picked})
    question_message(ctx, activity, now, edit_of=attempt.asked_key)


async def submit(ctx: Context, argument: str) -> None:
    """``quiz_submit:<take>:<question>``: check the options chosen."""
    attempt_id, question_id = _parts(argument, 2)
    found = await _current(ctx, attempt_id, question_id)
    if found is None:
        return
    attempt, activity, question = found
    if not attempt.picked:
        raise UserError("quiz_pick_first")
    await _settle(ctx, attempt, activity, question, attempt.picked)


async def typed(ctx: Context, text: str) -> None:
    """Free text while a quiz waits: the option number(s), e.g. ``2`` or ``1 3``."""
    waiting = conversation.waiting(ctx, conversation.QUIZ)
    attempt_id = str(waiting.data.get("attempt", "")) if waiting else ""
    attempt = await _store(ctx).quiz_attempt(int(attempt_id)) if attempt_id.isdigit() else None
    if attempt is None or attempt.finished:
        await conversation.end(ctx, conversation.QUIZ)
        ctx.reply("quiz_none", buttons=(STATUS,))
        return
    activity = _quiz(ctx, attempt.ref)
    if attempt.position >= len(activity.questions):
        await conversation.end(ctx, conversation.QUIZ)
        ctx.reply("quiz_none", buttons=(STATUS,))
        return
    question = activity.questions[attempt.position]
    chosen = parse_options(text, len(question.options))
    if chosen is None or (len(chosen) > 1 and not question.multiple):
        raise UserError("quiz_bad_number", count=len(question.options))
    await _settle(ctx, attempt, activity, question, chosen)


async def _settle(
    ctx: Context,
    attempt: Attempt,
    activity: Activity,
    question: QuizQuestion,
    chosen: frozenset[int],
) -> None:
    """Count the answer (once), show the feedback, then the next question or the summary.
    A press or a poll answer turns the question into its feedback (an edit); a typed
    answer gets the feedback below."""
    store = _store(ctx)
    right = is_right(question, chosen)
    if not await store.answer_quiz(attempt, question.id, chosen, right, ctx.now):
        ctx.reply("quiz_answered_already")
        return
    pressed = ctx.inbound.action is not None
    feedback_message(ctx, question, attempt, chosen, right, attempt.asked_key if pressed else None)
    moved = Attempt(
        **{
            **attempt.__dict__,
            "position": attempt.position + 1,
            "score": attempt.score + right,
            "picked": frozenset(),
        }
    )
    if moved.position < len(activity.questions):
        await _ask(ctx, activity, moved)
        return
    await store.set_quiz_state(attempt.id, finished_at=ctx.now)
    await store.mark_done(ctx.person.id, attempt.ref, "quiz", ctx.now)
    await conversation.end(ctx, conversation.QUIZ)
    await summary(ctx, Attempt(**{**moved.__dict__, "finished_at": ctx.now}), activity)
