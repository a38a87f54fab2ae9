"""Telegram end to end: the real PTB client against the fake Bot API, through `kompis run`'s
composition."""

from __future__ import annotations

from pathlib import Path

from tests.fake_telegram import FakeTelegram
from tests.telegram_support import running


async def test_a_stranger_is_answered_over_long_polling(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        assert service.telegram is not None and service.telegram.username == "KompisTestBot"
        await fake.write(5001, "hello", language="sv")
        texts = await fake.wait_for(5001, 1)
        assert "Hej! Jag känner inte dig än" in texts[0]
        # the command menu is set per language, with a default
        assert set(fake.commands) == {"", "nb", "nn", "sv", "en"}
        assert fake.commands["sv"][0]["command"] == "status"


async def test_in_a_group_only_commands_to_kompis_get_a_private_link(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}"),
    ):
        group = -100123
        await fake.write(5001, "god morgen alle sammen", chat_id=group)  # not for Kompis
        await fake.write(5001, "/status@KompisTestBot", chat_id=group)
        (answer,) = await fake.wait_for(group, 1)
        assert "Jeg snakker bare i private samtaler" in answer
        assert "https://t.me/KompisTestBot" in answer
        await fake.write(5002, "/help@KompisTestBot", chat_id=group)
        await fake.wait_for(group, 2)
        assert len(fake.texts(group)) == 2  # the chatter before was not answered
        assert 5001 not in fake.messages  # nothing went to the person's private chat
