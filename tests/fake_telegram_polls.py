"""The fake Bot API's rules for quiz polls (``sendPoll``) and for edits of a poll, as strict
as Telegram: a quiz poll names one right option among its options, is not anonymous when
Kompis wants the answers, has an explanation of at most 200 characters and 2 line feeds;
a poll has no text, so ``editMessageText`` on it fails."""

from __future__ import annotations

from typing import Any

#: what Telegram answers to editMessageText on a message without text (a poll)
NO_TEXT = "Bad Request: there is no text in the message to edit"


class PollError(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def correct_options(p: dict[str, Any]) -> list[int]:
    ids = p.get("correct_option_ids")
    if isinstance(ids, list):
        return [int(n) for n in ids]
    single = p.get("correct_option_id")
    return [int(single)] if single not in (None, "") else []


def check_quiz_poll(p: dict[str, Any]) -> None:
    """Raise ``PollError`` where Telegram refuses the poll."""
    options = p.get("options") or []
    explanation = str(p.get("explanation", ""))
    if explanation.count("\n") > 2:
        raise PollError("Bad Request: explanation can't contain more than 2 line feeds")
    if p.get("type") != "quiz":
        return
    correct = correct_options(p)
    if len(correct) != 1:
        raise PollError("Bad Request: wrong correct option ids specified")
    if not 0 <= correct[0] < len(options):
        raise PollError("Bad Request: wrong correct option id specified")
    if str(p.get("allows_multiple_answers", "false")).lower() == "true":
        raise PollError("Bad Request: quiz poll can't allow multiple answers")
