"""``mydata`` and ``forget`` on Telegram against the fake Bot API: the export arrives as a
document (sendDocument) with the JSON, the yes button deletes, and the last word reaches the
chat of a person Kompis no longer knows."""

from __future__ import annotations

import json
from pathlib import Path

from bot.storage.repo import unit
from tests.fake_telegram import FakeTelegram
from tests.telegram_support import running, settle
from tests.test_telegram_delivery import people_on_telegram

CHAT = 10_000


async def test_mydata_is_a_document_and_forget_yes_deletes(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        (person,) = await people_on_telegram(service, 1)
        await fake.write(CHAT, "/mydata")
        await fake.wait_for(CHAT, 1)
        (document,) = fake.messages[CHAT]
        assert document.kind == "document"
        assert document.extra["filename"].startswith("kompis-mydata-")
        data = json.loads(document.extra["content"])
        assert data["person"]["email"] == "leader0@tromso.example.org"
        assert data["chat_accounts"][0]["platform"] == "telegram"
        assert "Her er alt jeg lagrer om deg" in document.text

        await fake.write(CHAT, "glem")
        await fake.wait_for(CHAT, 2)
        question = fake.messages[CHAT][-1]
        labels = [b["text"] for row in question.buttons for b in row]
        assert labels == ["Ja, slett alt", "Nei, behold dataene mine"]
        await fake.press(CHAT, question, question.buttons[0][0]["callback_data"])
        await fake.wait_for(CHAT, 3)
        await settle(service)
        assert "Jeg har slettet alt jeg lagret om deg" in fake.messages[CHAT][-1].text
        async with unit(service.db) as store:
            assert await store.person_known(person) is False
            assert await store.person_for_identity("telegram", str(CHAT)) is None
