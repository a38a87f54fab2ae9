"""Which prompt a text answers is settled in the same transaction as the answer itself:
an answer whose handling fails leaves the conversation as it was."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.messages import Inbound
from bot.features import conversation, dispatcher
from bot.storage.repo import unit
from tests.helpers import Harness

KARI = "kari.nordvik"


async def write(h: Harness, text: str, n: int, reply_to: str | None = None) -> None:
    """Kari's message number ``n`` through the receiver (as a transport hands it over),
    then whatever it queued is sent."""
    await h.app.receive(
        Inbound(
            "memory", KARI, KARI, text=text, event_id=f"e{n}", message_id=f"m{n}", reply_to=reply_to
        )
    )
    await h.app.sender.drain()


def last_message_id(h: Harness) -> str:
    return [s for s in h.transport.sent if s.address.chat_id == KARI][-1].message_id


async def pending_ref(h: Harness) -> str | None:
    person = await h.person_id(KARI)
    async with unit(h.app.db) as store:
        found = await store.conversation(person)
    assert found is not None and found.kind == conversation.REFLECTION
    return str(found.data["ref"])


async def test_a_failed_answer_to_an_older_prompt_leaves_the_pending_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await h.advance(timedelta(days=1))  # the stage opens
    await write(h, "svar", 1)
    first_prompt = last_message_id(h)
    first_ref = await pending_ref(h)
    await write(h, "Første svar.", 2)
    assert "er lagret" in h.last(KARI)
    await write(h, "svar", 3)  # the second prompt is pending now
    second_ref = await pending_ref(h)
    assert second_ref != first_ref

    async def broken(_ctx: Any, _text: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setitem(dispatcher.ANSWERS, conversation.REFLECTION, broken)
    await write(h, "Et bedre første svar.", 4, reply_to=first_prompt)
    assert await pending_ref(h) == second_ref  # not switched to the first prompt
    monkeypatch.undo()

    await write(h, "Et bedre første svar.", 5, reply_to=first_prompt)  # tried again: works
    assert "er oppdatert" in h.last(KARI)
