"""The rich message model over Telegram: edits and replies by outbox key, files, a choice as
a native quiz poll or, where it does not fit, as buttons; and the defined fallbacks."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.messages import (
    Address,
    Attachment,
    Button,
    Inbound,
    Outgoing,
    Rendered,
    RenderedChoice,
    with_fallback,
)
from bot.serve import Service
from bot.storage.repo import unit
from bot.transports.telegram import TelegramOptions, TelegramTransport
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.telegram_support import running, settle
from tests.test_telegram_delivery import people_on_telegram

CHAT = 10_000


async def queue(service: Service, *items: Outgoing) -> None:
    async with unit(service.db) as store:
        await store.enqueue(items, datetime.now(UTC))
    service.app.delivery.wake()
    await settle(service)


async def test_edit_reply_and_file_by_outbox_key(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        (person,) = await people_on_telegram(service, 1)
        await queue(service, Outgoing(person, "done_ok", _done("Film"), key="first"))
        (first,) = fake.messages[CHAT]
        # a correction edits the message in place: same id, new text, nothing new sent
        await queue(
            service, Outgoing(person, "done_ok", _done("Gruppeoppgave"), key="fix", edit_of="first")
        )
        assert len(fake.messages[CHAT]) == 1 and first.edits == 1
        assert "Gruppeoppgave" in first.text
        # the same correction again: Telegram says "not modified", which counts as sent
        await queue(
            service,
            Outgoing(person, "done_ok", _done("Gruppeoppgave"), key="fix2", edit_of="first"),
        )
        # a reply in the thread of the first message, and a calendar file
        ics = base64.b64encode(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").decode()
        await queue(
            service,
            Outgoing(person, "done_ok", _done("Svar"), key="reply", reply_to="first"),
            Outgoing(
                person,
                "done_ok",
                _done("Samling"),
                key="file",
                attachment=Attachment("samling.ics", "text/calendar", ics),
            ),
        )
        _, reply, document = fake.messages[CHAT]
        assert reply.extra["reply_to"] == first.message_id
        assert document.kind == "document" and document.extra["filename"] == "samling.ics"
        assert document.extra["content"].startswith(b"BEGIN:VCALENDAR")
        async with unit(service.db) as store:
            assert await store.outbox_counts() == {"sent": 5}
            parts = await store.sent_parts("first")
        assert parts == (Address("telegram", str(CHAT)), [str(first.message_id)])


async def test_a_choice_is_a_quiz_poll_and_votes_come_back_as_actions() -> None:
    received: list[Inbound] = []

    async def hook(inbound: Inbound) -> None:
        received.append(inbound)

    async with FakeTelegram(per_second=300) as fake:
        actions = Bindings()
        telegram = TelegramTransport(
            TelegramOptions(TOKEN, api_url=fake.api_url, poll_timeout=0.1), actions
        )
        await telegram.start(hook)
        try:
            quiz = RenderedChoice("Hva er en digilog?", ("En logg", "En samtale"), "quiz:t1:q3", 2)
            await telegram.send(Address("telegram", "42"), Rendered("Spørsmål 3 av 5", choice=quiz))
            text, poll = fake.messages[42]
            assert text.text == "Spørsmål 3 av 5" and poll.kind == "poll"
            sent = next(p for m, p in fake.calls if m == "sendPoll")
            assert sent["type"] == "quiz" and sent["is_anonymous"] == "false"
            await fake.vote(42, poll, 1)
            await fake.vote(43, poll, 0)  # someone the poll was not sent to
            for _ in range(100):
                if received:
                    break
                await asyncio.sleep(0.02)
            assert [i.action for i in received] == ["quiz:t1:q3:2"]
            # too long for a poll option: the same choice as buttons instead
            long = RenderedChoice("Hva passer best?", ("x" * 120, "Kort"), "quiz:t1:q4")
            await telegram.send(Address("telegram", "42"), Rendered("", choice=long))
            buttons = fake.messages[42][-1].buttons
            assert [b["text"] for row in buttons for b in row] == ["1. " + "x" * 120, "2. Kort"]
        finally:
            await telegram.stop()


class Bindings:
    """An in-memory ActionRegistry: polls bound to chat 42 only."""

    def __init__(self) -> None:
        self.bound: dict[str, tuple[str, str]] = {}

    async def register(self, address: Address, actions: object) -> list[str]:
        ids = [f"b{len(self.bound) + n}" for n, _ in enumerate(actions)]  # type: ignore[arg-type]
        for action_id, action in zip(ids, actions, strict=True):  # type: ignore[call-overload]
            self.bound[action_id] = (address.chat_id, action)
        return ids

    async def bind(self, address: Address, action_id: str, action: str) -> None:
        self.bound[action_id] = (address.chat_id, action)

    async def resolve(self, _p: str, _w: str, action_id: str, presser: str) -> str | None:
        chat, action = self.bound.get(action_id, ("", ""))
        return action if chat == presser else None


def _done(title: str) -> dict[str, object]:
    return {"title": title, "stage": "Forarbeid", "module": "Kom i gang"}


def test_fallback_is_defined_for_every_transport() -> None:
    choice = RenderedChoice("Hvor står dere?", ("Start", "Midt i"), "survey_answer:a/b/c")
    message = Rendered("Kartlegging", (Button("Status", "status"),), choice=choice)
    assert with_fallback(message, polls=True, buttons=True) == message
    buttons = with_fallback(message, polls=False, buttons=True)
    assert buttons.choice is None and buttons.text == "Kartlegging\n\nHvor står dere?"
    assert [(b.label, b.action) for b in buttons.buttons] == [
        ("1. Start", "survey_answer:a/b/c:1"),
        ("2. Midt i", "survey_answer:a/b/c:2"),
        ("Status", "status"),
    ]
    text = with_fallback(message, polls=False, buttons=False)
    assert text.choice is None and text.text.endswith("Hvor står dere?\n\n1. Start\n2. Midt i")
