"""Delivery through Telegram: a broadcast within the flood limit, 429s honoured, blocked
people marked unreachable, long texts split, buttons at the maximum lengths."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.messages import Address, Button, Outgoing, Rendered, split_text
from bot.domain.people import Role
from bot.serve import Service
from bot.storage.repo import unit
from tests.fake_telegram import FakeTelegram
from tests.telegram_support import running, settle


async def people_on_telegram(service: Service, count: int, first_chat: int = 10_000) -> list[int]:
    """``count`` people of the demo cohort, each linked to a Telegram chat."""
    now = datetime.now(UTC)
    ids = []
    async with unit(service.db) as store:
        for n in range(count):
            person = await store.add_person(
                name=f"Leader {n}",
                cohort_id="demo",
                organisation="tromso",
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email=f"leader{n}@tromso.example.org",
                locale="nb",
            )
            chat = str(first_chat + n)
            await store.link_identity(person, "telegram", chat, chat, now)
            ids.append(person)
    return ids


async def broadcast(service: Service, people: list[int], key: str) -> None:
    async with unit(service.db) as store:
        await store.enqueue(
            [Outgoing(p, "help", {"name": "Leader"}, key=f"{key}:{p}") for p in people],
            datetime.now(UTC),
        )
    service.app.delivery.wake()


async def test_200_chats_within_the_flood_limit(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        people = await people_on_telegram(service, 200)
        started = asyncio.get_running_loop().time()
        await broadcast(service, people, "news")
        await settle(service, within=20)
        elapsed = asyncio.get_running_loop().time() - started
        assert sorted(fake.messages) == list(range(10_000, 10_200))
        assert all(len(messages) == 1 for messages in fake.messages.values())  # none twice
        assert fake.refused_429 == 0  # the budget matched the limit: no 429 at all
        async with unit(service.db) as store:
            assert await store.outbox_counts() == {"sent": 200}
        print(f"200 chats delivered in {elapsed:.2f} s")
        assert elapsed < 10, elapsed


async def test_429_holds_the_whole_bot_and_is_retried(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        people = await people_on_telegram(service, 30)
        too_many = {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        fake.fail_next.extend([(429, json.dumps(too_many))] * 2)
        await broadcast(service, people, "news")
        await settle(service, within=30, due_only=False)
        sends = [at for method, at in fake.timeline if method == "sendMessage"]
        # after each 429 nothing at all went out until Telegram's retry_after had passed
        assert sends[1] - sends[0] >= 1.0 and sends[2] - sends[1] >= 1.0
        assert len(sends) == 32  # 30 messages, 2 of them tried twice
        assert sorted(fake.messages) == list(range(10_000, 10_030))
        assert all(len(messages) == 1 for messages in fake.messages.values())  # none twice
        async with unit(service.db) as store:
            assert await store.outbox_counts() == {"sent": 30}


async def test_a_blocked_user_is_marked_unreachable(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        first, second = await people_on_telegram(service, 2)
        fake.blocked.add(10_000)  # blocked before Kompis heard of it: the send says 403
        await broadcast(service, [first, second], "news")
        await settle(service)
        await fake.block(10_001)  # blocked while Kompis runs: Telegram tells (my_chat_member)
        for _ in range(200):
            async with unit(service.db) as store:
                gone = await store.unreachable_people("demo")
            if len(gone) == 2:
                break
            await asyncio.sleep(0.02)
        assert sorted(u.person_id for u in gone) == [first, second]
        assert {u.reason for u in gone} == {
            "Telegram: Forbidden: bot was blocked by the user",
            "blocked the bot",
        }
        async with unit(service.db) as store:
            assert await store.outbox_counts() == {"sent": 1, "failed": 1}


async def test_long_text_is_split_on_paragraphs_and_buttons_fit(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        (person,) = await people_on_telegram(service, 1)
        assert service.telegram is not None
        paragraph = "Ein lang refleksjon <om> & rundt digitalisering. " * 20
        text = "\n\n".join([paragraph.strip()] * 8)  # about 7800 characters
        longest = "survey_answer:" + "m" * 64 + "/" + "s" * 64 + "/" + "a" * 64 + ":10"
        parts = split_text(text, 4096)
        address = Address("telegram", "10000")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            buttons = (Button("Steg 10", longest),) if last else ()
            await service.telegram.send(address, Rendered(part, buttons))
        received = fake.messages[10_000]
        assert len(received) == 2 and all(len(m.text) <= 4096 for m in received)
        assert received[0].text.endswith("digitalisering.")  # cut between paragraphs
        assert "<om> &" in received[0].text  # user text is escaped, never markup
        data = received[1].buttons[0][0]["callback_data"]
        assert len(data.encode()) <= 64 < len(longest.encode())
        resolved = await service.actions.resolve("telegram", "", data, "10000")
        assert resolved == longest
        assert person
