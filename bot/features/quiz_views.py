"""What a quiz looks like in chat: a question (a native quiz poll where the platform has
them, else one button per option; multiple choice as option buttons that are chosen and then
checked with "Done"), the feedback on an answer, and the summary at the end."""

from __future__ import annotations

import uuid
from typing import Any

from bot.domain.messages import Button, Choice, Outgoing
from bot.domain.programme import Activity, ActivityKind, Module, QuizQuestion, Stage
from bot.domain.quiz import Attempt
from bot.domain.text import LocalText
from bot.features.context import Context
from bot.rendering.i18n import N_

OPTION = N_("%(number)s. %(option)s")
CHOSEN = N_("%(number)s. %(option)s (chosen)")


def send(
    ctx: Context,
    template: str,
    buttons: tuple[Button, ...] = (),
    edit_of: str | None = None,
    choice: Choice | None = None,
    **params: Any,
) -> str:
    """Queue a reply (an edit of an earlier message when ``edit_of``); returns its key."""
    base = ctx.inbound.event_id or uuid.uuid4().hex
    key = f"quiz:{ctx.inbound.platform}:{base}:{len(ctx.replies)}"
    item = Outgoing(ctx.person.id, template, params, buttons, key, edit_of=edit_of, choice=choice)
    ctx.replies.append(item)
    return key


def options_of(question: QuizQuestion, chosen: frozenset[int]) -> list[LocalText]:
    return [question.options[n] for n in sorted(chosen) if 0 <= n < len(question.options)]


def question_message(
    ctx: Context,
    activity: Activity,
    attempt: Attempt,
    edit_of: str | None = None,
    resumed: bool = False,
) -> str:
    """Ask the attempt's current question; returns the outbox key of the message."""
    question = activity.questions[attempt.position]
    params: dict[str, Any] = {
        "title": activity.title,
        "body": activity.body,
        "first": attempt.position == 0 and not resumed and edit_of is None,
        "resumed": resumed,
        "retake": attempt.number > 1,
        "number": attempt.position + 1,
        "total": attempt.total,
        "multiple": question.multiple,
    }
    if not question.multiple:
        choice = Choice(
            question=question.text,
            options=tuple(question.options),
            action=f"quiz_answer:{attempt.id}:{question.id}",
            correct=min(question.right) + 1,
            explanation=question.explanation,
        )
        return send(ctx, "quiz_question", edit_of=edit_of, choice=choice, **params)
    buttons = tuple(
        Button(
            CHOSEN if n in attempt.picked else OPTION,
            f"quiz_pick:{attempt.id}:{question.id}:{n + 1}",
            {"number": str(n + 1), "option": option},
        )
        for n, option in enumerate(question.options)
    )
    done = Button(N_("Check my answer"), f"quiz_submit:{attempt.id}:{question.id}")
    return send(
        ctx,
        "quiz_question",
        buttons=(*buttons, done),
        edit_of=edit_of,
        question=question.text,
        options=[{"number": n + 1, "text": o} for n, o in enumerate(question.options)],
        picked=[n + 1 for n in sorted(attempt.picked)],
        **params,
    )


def feedback_message(
    ctx: Context,
    question: QuizQuestion,
    attempt: Attempt,
    chosen: frozenset[int],
    right: bool,
    edit_of: str | None,
) -> None:
    send(
        ctx,
        "quiz_feedback",
        edit_of=edit_of,
        number=attempt.position + 1,
        total=attempt.total,
        question=question.text,
        chosen=options_of(question, chosen),
        right=right,
        correct=options_of(question, question.right),
        explanation=question.explanation,
    )


def resource_of(module: Module, stage: Stage) -> Activity | None:
    """What explains the quiz: a resource with a link in the quiz's stage, else the last one
    in its module before it."""
    for activity in stage.activities:
        if activity.kind == ActivityKind.RESOURCE and activity.url:
            return activity
    found: Activity | None = None
    for earlier in module.stages:
        if earlier.id == stage.id:
            break
        for activity in earlier.activities:
            if activity.kind == ActivityKind.RESOURCE and activity.url:
                found = activity
    return found
