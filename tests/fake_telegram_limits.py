"""The fake Bot API with Telegram's two flood limits at once, for the benchmarks: an overall
rate for the bot (``per_second`` sends in any second) and one per chat (``chat_per_second``),
each answered with 429 and ``retry_after`` when exceeded, as Telegram does. It also counts
what arrived so a benchmark can tell lost and duplicated messages apart.
"""

from __future__ import annotations

import time
from typing import Any

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_api import ApiError

# Two sends to one chat closer than this share of 1/chat_per_second draw a 429: network
# jitter on loopback is a few milliseconds, Telegram itself is more lenient still.
CHAT_TOLERANCE = 0.9


class LimitedTelegram(FakeTelegram):
    def __init__(
        self, per_second: float = 300.0, chat_per_second: float = 1.0, retry_after: int = 1
    ) -> None:
        super().__init__(per_second=per_second, retry_after=retry_after)
        self.chat_per_second = chat_per_second
        self.chat_429 = 0
        self.global_429 = 0
        self._chat_last: dict[int, float] = {}
        #: time.monotonic() of every accepted send, in order
        self.accepted: list[float] = []

    def _spend(self) -> None:
        """The overall limit is checked per chat in ``_m_sendMessage`` (both at once)."""

    def _too_many(self) -> ApiError:
        self.refused_429 += 1
        return ApiError(
            429, f"Too Many Requests: retry after {self.retry_after}", retry_after=self.retry_after
        )

    def _spend_chat(self, chat_id: int) -> None:
        now = time.monotonic()
        last = self._chat_last.get(chat_id)
        if last is not None and now - last < CHAT_TOLERANCE / self.chat_per_second:
            self.chat_429 += 1
            raise self._too_many()
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        if len(self._sends) >= self.per_second:
            self.global_429 += 1
            raise self._too_many()
        self._sends.append(now)
        self._chat_last[chat_id] = now
        self.accepted.append(now)

    async def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        self._spend_chat(int(p["chat_id"]))
        return await super()._m_sendMessage(p)

    def received(self) -> int:
        return sum(len(m) for m in self.messages.values())
