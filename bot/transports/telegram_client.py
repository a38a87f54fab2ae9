"""PTB's HTTP client as Kompis uses it (on aiohttp, ``telegram_http``): answers watched for
``/healthz``, the bot's username for invitation links, and the token kept out of every
message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot.transports.base import TransportError
from bot.transports.telegram_http import AiohttpRequest


class Watched(AiohttpRequest):
    """PTB's HTTP client, telling the transport when Telegram answered (a long poll that
    returns counts as much as a send): that is the "last success" ``/healthz`` reports."""

    def __init__(self, on_answer: Callable[[bool], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_answer = on_answer

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except Exception:
            self.on_answer(False)
            raise
        self.on_answer(code < 500)
        return code, payload


async def bot_username(token: str, api_url: str) -> str:
    """The bot's username from getMe (for invitation links), without starting anything."""
    bot = Bot(token, base_url=api_url.rstrip("/"), request=AiohttpRequest())
    try:
        async with bot:
            return bot.username
    except TelegramError as exc:
        text = redact(str(exc), token)
        raise TransportError(
            f"Telegram did not answer getMe: {type(exc).__name__}: {text}", retryable=False
        ) from None


def redact(text: str, token: str) -> str:
    """``text`` without the token (and without its secret half on its own)."""
    secret = token.split(":", 1)[-1]
    return text.replace(token, "[token]").replace(secret, "[token]") if secret else text
