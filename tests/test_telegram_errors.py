"""How Telegram's errors reach the sender: as TransportError(retryable, retry_after,
unreachable), measured through the real PTB client against the fake Bot API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.domain.messages import Address, Rendered
from bot.transports.base import TransportError
from bot.transports.telegram import TelegramOptions, TelegramTransport
from tests.fake_telegram import TOKEN, FakeTelegram


class NoActions:
    async def register(self, address: Address, actions: object) -> list[str]:
        return [f"id{n}" for n, _ in enumerate(actions)]  # type: ignore[arg-type]

    async def bind(self, *_args: object) -> None:
        return None

    async def resolve(self, *_args: str) -> str | None:
        return None


@asynccontextmanager
async def transport() -> AsyncIterator[tuple[FakeTelegram, TelegramTransport]]:
    async with FakeTelegram(per_second=300) as fake:
        telegram = TelegramTransport(
            TelegramOptions(TOKEN, api_url=fake.api_url, poll_timeout=0.1), NoActions()
        )
        await telegram.bot.initialize()
        try:
            yield fake, telegram
        finally:
            await telegram.bot.shutdown()


def error(status: int, description: str, **parameters: object) -> tuple[int, str]:
    body: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, json.dumps(body)


CASES = [
    (error(429, "Too Many Requests: retry after 7", retry_after=7), True, 7.0, False),
    (error(403, "Forbidden: bot was blocked by the user"), False, None, True),
    (error(403, "Forbidden: user is deactivated"), False, None, True),
    (error(400, "Bad Request: chat not found"), False, None, True),
    (error(400, "Bad Request: can't parse entities: unsupported tag"), False, None, False),
    (error(500, "Internal Server Error"), True, None, False),
    ((502, "<html><body>Bad Gateway</body></html>"), True, None, False),
]


@pytest.mark.parametrize(("failure", "retryable", "retry_after", "unreachable"), CASES)
async def test_errors_map_to_transport_errors(
    failure: tuple[int, str], retryable: bool, retry_after: float | None, unreachable: bool
) -> None:
    async with transport() as (fake, telegram):
        fake.fail_next.append(failure)
        with pytest.raises(TransportError) as caught:
            await telegram.send(Address("telegram", "42"), Rendered("Hei"))
        assert (caught.value.retryable, caught.value.retry_after, caught.value.unreachable) == (
            retryable,
            retry_after,
            unreachable,
        )
        assert TOKEN not in str(caught.value)
        await telegram.send(Address("telegram", "42"), Rendered("Hei"))  # the next one works
        assert fake.texts(42) == ["Hei"]
