"""A quiz on Telegram through the fake Bot API: single-choice questions as native quiz polls
answered by ``poll_answer`` updates; a multiple-choice question and one too long for a poll
as buttons; a vote from someone else or on a stale poll changes nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.domain.people import Role
from bot.serve import Service
from bot.storage.repo import unit
from tests.fake_telegram import FakeTelegram, Message
from tests.quiz_support import OPENS, REF, quiz_catalog
from tests.telegram_support import settings_for, settle
from tests.test_telegram_webhook import free_port

LEADER, OTHER = 20_001, 20_002


async def until(check: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "the fake Bot API never got there"
        await asyncio.sleep(0.01)


async def add_leaders(service: Service) -> list[int]:
    now = datetime.now(UTC)
    ids = []
    async with unit(service.db) as store:
        for n, chat in enumerate((LEADER, OTHER)):
            person = await store.add_person(
                name=f"Leder {n}",
                cohort_id="demo",
                organisation="tromso",
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email=f"leder{n}@tromso.example.org",
                locale="nb",
            )
            await store.link_identity(person, "telegram", str(chat), str(chat), now)
            ids.append(person)
    return ids


def data(message: Message, label: str) -> str:
    for row in message.buttons:
        for button in row:
            if button["text"].startswith(label):
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {message.buttons}")


async def test_a_quiz_with_native_polls_and_buttons(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2027, 1, 11, 11, 0, tzinfo=UTC))
    assert clock.now().date() == OPENS
    async with FakeTelegram(per_second=300) as fake:
        settings = settings_for(fake, f"sqlite:///{tmp_path / 'k.db'}")
        service = Service(settings, clock, quiz_catalog())
        await service.start()
        try:
            leader, _ = await add_leaders(service)
            await fake.write(LEADER, "quiz")
            await fake.wait_for(LEADER, 2)
            await settle(service)  # the poll is bound to its question once sent
            intro, poll = fake.messages[LEADER][0], fake.messages[LEADER][1]
            assert "Spørsmål 1 av 3" in intro.text and poll.kind == "poll"
            sent = next(p for m, p in fake.calls if m == "sendPoll")
            assert sent["type"] == "quiz" and sent["is_anonymous"] == "false"
            assert poll.extra["correct"] == [1] and "digital dialog" in poll.extra["explanation"]
            # someone else's vote on the leader's poll is ignored
            await fake.vote(OTHER, poll, 0)
            await fake.vote(LEADER, poll, 1)
            texts = await fake.wait_for(LEADER, 4)
            assert "Ditt svar: En samtale om refleksjoner. Det er riktig." in texts[2]
            question = fake.messages[LEADER][3]
            assert "Spørsmål 2 av 3" in question.text and question.buttons  # multiple choice
            # a second vote on the answered poll: a clear reply, counted once
            await fake.vote(LEADER, poll, 0)
            texts = await fake.wait_for(LEADER, 5)
            assert "Du har allerede svart på dette spørsmålet" in texts[4]
            # abandon, then resume where it was left
            await fake.write(LEADER, "hopp over")
            await fake.wait_for(LEADER, 6)
            await fake.write(LEADER, "quiz")
            texts = await fake.wait_for(LEADER, 7)
            assert "Du er tilbake i «Quiz: kom i gang»" in texts[6]
            question = fake.messages[LEADER][6]
            await fake.press(LEADER, question, data(question, "1."))
            await until(lambda: "(valgt)" in question.text)  # the question shows the choice
            await fake.press(LEADER, question, data(question, "3."))
            await until(lambda: question.text.count("(valgt)") == 2)
            await fake.press(LEADER, question, data(question, "Sjekk svaret mitt"))
            # the pressed question becomes its feedback; the long question comes as buttons
            await until(lambda: "Det er riktig" in question.text)
            texts = await fake.wait_for(LEADER, 8)
            long_question = fake.messages[LEADER][7]
            assert long_question.kind == "text" and "Spørsmål 3 av 3" in long_question.text
            assert [m for m, _ in fake.calls].count("sendPoll") == 1
            await fake.press(LEADER, long_question, data(long_question, "2."))
            await until(lambda: "Det er ikke riktig" in long_question.text)
            texts = await fake.wait_for(LEADER, 9)
            assert "Du fikk 2 av 3 spørsmål riktig." in texts[8]
            # a retake starts with a new poll; the old one is stale
            await fake.write(LEADER, "quiz igjen")
            await fake.wait_for(LEADER, 11)
            await settle(service)
            await fake.vote(LEADER, poll, 1)
            texts = await fake.wait_for(LEADER, 12)
            assert "Du er allerede ferdig med dette forsøket" in texts[11]
            async with unit(service.db) as store:
                scores = await store.quiz_scores(leader, REF)
                takes = await store.quiz_attempts([leader], REF)
                answered = await store.quiz_answers(t.id for t in takes)
            assert scores is not None and (scores.best, scores.latest, scores.takes) == (2, 2, 1)
            assert [a.question_id for a in answered] == ["q1", "q2", "q3"]
            assert fake.messages.get(OTHER) is None  # the other leader heard nothing
        finally:
            await service.stop()


async def test_a_poll_answer_through_the_webhook(tmp_path: Path) -> None:
    port = free_port()
    clock = FakeClock(datetime(2027, 1, 11, 11, 0, tzinfo=UTC))
    async with FakeTelegram(per_second=300) as fake:
        settings = settings_for(
            fake,
            f"sqlite:///{tmp_path / 'k.db'}",
            http_port=port,
            telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
            telegram_webhook_secret="s3cret_Token-for-tests",
        )
        service = Service(settings, clock, quiz_catalog())
        await service.start()
        try:
            leader, _ = await add_leaders(service)
            await fake.write(LEADER, "quiz")
            await fake.wait_for(LEADER, 2)
            await settle(service)
            await fake.vote(LEADER, fake.messages[LEADER][1], 0)
            texts = await fake.wait_for(LEADER, 4)
            assert "Det er ikke riktig. Riktig svar: En samtale om refleksjoner." in texts[2]
            assert not fake.errors and not any(m == "getUpdates" for m, _ in fake.calls)
            async with unit(service.db) as store:
                (take,) = await store.quiz_attempts([leader], REF)
            assert (take.position, take.score) == (1, 0)
        finally:
            await service.stop()
