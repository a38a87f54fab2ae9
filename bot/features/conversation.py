"""Conversation kinds: what a person's next message may answer, and who answers it.

Each kind belongs to one feature; the dispatcher hands free text (anything that is not an
exact command) to the feature whose kind is active. A later feature (a quiz in progress, a
message for a buddy, a broadcast being written) adds its kind here and its handler to
``dispatcher.ANSWERS``; one person has one active kind at a time, so they cannot clash.
"""

from __future__ import annotations

from typing import Any

from bot.domain.conversation import Conversation
from bot.features.context import Context

#: a reflection prompt waits for its answer; data: ``ref``
REFLECTION = "reflection"
#: a one-character or emoji answer waits for "yes, that is it"; data: ``ref``, ``text``
REFLECTION_CONFIRM = "reflection_confirm"
#: a self-assessment waits for the number of a step; data: ``ref``
SURVEY = "survey"
#: ``forget`` waits for "yes, delete everything"; no data
FORGET = "forget"

#: a quiz question waits for the number of an option; data: ``attempt``, ``ref``
QUIZ = "quiz"

#: a digilog comment on a bank entry waits for its text; data: ``id`` (the reflection)
BANK_COMMENT = "bank_comment"
#: an organiser hiding a bank entry, waiting for the reason; data: ``id``
BANK_HIDE = "bank_hide"

#: "Write to my buddy" waits for the message to relay; data: ``thread`` (or None)
BUDDY = "buddy"

#: an organiser or coordinator writes a broadcast; data: ``targets``
BROADCAST_TEXT = "broadcast_text"
#: its preview waits for "Send" (a new text replaces it); data: ``targets``, ``text``
BROADCAST_CONFIRM = "broadcast_confirm"

#: every kind; each has exactly one handler in ``dispatcher.ANSWERS`` (a test keeps it so)
KINDS = (
    REFLECTION,
    REFLECTION_CONFIRM,
    SURVEY,
    QUIZ,
    BANK_COMMENT,
    BANK_HIDE,
    FORGET,
    BUDDY,
    BROADCAST_TEXT,
    BROADCAST_CONFIRM,
)


async def start(ctx: Context, kind: str, **data: Any) -> None:
    """Wait for ``kind`` from now on, replacing whatever was waiting before."""
    await ctx.store.set_conversation(ctx.person.id, kind, ctx.now, data)
    ctx.conversation = Conversation(kind, ctx.now, dict(data))


async def end(ctx: Context, kind: str | None = None) -> bool:
    """Stop waiting (only for ``kind``, when given); False if nothing was waiting."""
    if ctx.conversation is None or (kind is not None and ctx.conversation.kind != kind):
        return False
    await ctx.store.clear_conversation(ctx.person.id, ctx.conversation.kind)
    ctx.conversation = None
    return True


def waiting(ctx: Context, *kinds: str) -> Conversation | None:
    """The active conversation if it is one of ``kinds``."""
    found = ctx.conversation
    return found if found is not None and found.kind in kinds else None
