"""The fake Bot API is strict where Telegram is: what it refuses, the real client sees as
Telegram's own errors (so the Telegram tests cannot pass on requests Telegram would refuse)."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

import bot.transports.telegram_convert  # noqa: F401  (opts PTB into timedelta durations)
from tests.fake_telegram import TOKEN, FakeTelegram


async def test_the_fake_refuses_what_telegram_refuses() -> None:
    async with FakeTelegram(per_second=1000) as fake:
        async with Bot(TOKEN, base_url=fake.api_url) as bot:
            with pytest.raises(BadRequest, match="too long"):
                await bot.send_message(42, "x" * 4097)
            with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
                button = InlineKeyboardButton("Ok", callback_data="x" * 65)
                await bot.send_message(42, "Hei", reply_markup=InlineKeyboardMarkup([[button]]))
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(42, "<b>Hei", parse_mode="HTML")
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(42, "<script>x</script>", parse_mode="HTML")
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("Ny", chat_id=42, message_id=999)
            with pytest.raises(BadRequest, match=r"(?i)poll must have"):
                await bot.send_poll(42, "Spørsmål?", ["Bare ett"])
            with pytest.raises(BadRequest, match=r"(?i)poll options"):
                await bot.send_poll(42, "Spørsmål?", ["x" * 101, "Kort"])
            sent = await bot.send_message(42, "Hei &amp; hallo", parse_mode="HTML")
            with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
                await bot.edit_message_text(
                    "Hei &amp; hallo", chat_id=42, message_id=sent.message_id, parse_mode="HTML"
                )
            fake.blocked.add(43)
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(43, "Hei")
        assert fake.texts(42) == ["Hei & hallo"]  # what the person sees, entities parsed


async def test_the_fake_draws_429_over_its_rate() -> None:
    async with FakeTelegram(per_second=3, retry_after=2) as fake:
        async with Bot(TOKEN, base_url=fake.api_url) as bot:
            for n in range(3):
                await bot.send_message(42, f"m{n}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(42, "one too many")
        assert caught.value.retry_after.total_seconds() == 2  # type: ignore[union-attr]
        assert fake.refused_429 == 1 and fake.texts(42) == ["m0", "m1", "m2"]
