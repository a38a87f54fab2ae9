"""How progress looks in a message: stage parameters for templates and the buttons that move
work forward. Shared by status and reminders."""

from __future__ import annotations

from typing import Any

from bot.domain.messages import Button
from bot.domain.programme import ActivityKind
from bot.domain.progress import StageStatus
from bot.rendering.i18n import N_

#: Work finished outside the chat, so the person tells Kompis with a "done" button.
BUTTON_DONE_KINDS = {ActivityKind.GROUP_TASK, ActivityKind.AMBITION, ActivityKind.LAB}


def stage_params(status: StageStatus) -> dict[str, Any]:
    """A stage as JSON-ready template params (texts stay localisable dicts)."""
    return {
        "module": status.module.title,
        "stage": status.stage.title,
        "summary": status.stage.summary,
        "opens": status.opens.isoformat(),
        "due": status.due.isoformat(),
        "activities": [
            {
                "ref": a.ref,
                "kind": a.activity.kind.value,
                "title": a.activity.title,
                "body": a.activity.body,
                "minutes": a.activity.minutes,
                "url": a.activity.url,
                "done": a.done,
                "tracked": a.activity.tracked,
                "by": a.by,
            }
            for a in status.activities
        ],
    }


def work_buttons(open_stages: list[StageStatus], done_limit: int = 5) -> tuple[Button, ...]:
    """Buttons for what is still open: answer a question, the self-assessment, and "done" for
    each task finished outside the chat (at most ``done_limit`` of those)."""
    todo = [a for s in open_stages for a in s.activities if a.activity.tracked and not a.done]
    buttons: list[Button] = []
    if any(a.activity.kind == ActivityKind.REFLECTION for a in todo):
        buttons.append(Button(N_("Answer a question"), "reflect"))
    if any(a.activity.kind == ActivityKind.SURVEY for a in todo):
        buttons.append(Button(N_("Self-assessment"), "survey"))
    if any(a.activity.kind == ActivityKind.QUIZ for a in todo):
        buttons.append(Button(N_("Take the quiz"), "quiz"))
    done = [
        Button(N_("Done: %(title)s"), f"done:{a.ref}", {"title": a.activity.title})
        for a in todo
        if a.activity.kind in BUTTON_DONE_KINDS
    ]
    return (*buttons, *done[:done_limit])
