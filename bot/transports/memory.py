"""An in-memory transport: the test harness, shipped as product code.

It records every message and can be told to fail, so tests can inject 429 storms, timeouts
and blocked users without a network.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.markup import plain
from bot.domain.messages import Address, Immediate, Inbound, Rendered
from bot.transports.base import InboundHandler, Limits, TransportError


@dataclass
class Sent:
    address: Address
    message: Rendered
    message_id: str


@dataclass
class MemoryTransport:
    platform: str = "memory"
    max_text: int = 4096
    sent: list[Sent] = field(default_factory=list)
    failures: deque[TransportError] = field(default_factory=deque)
    blocked: set[str] = field(default_factory=set)  # chat ids that blocked the bot
    attempts: int = 0
    limits: Limits | None = None  # tests pass a budget here to exercise the rate limiter
    polls: bool = False  # a Choice arrives as buttons (``messages.with_fallback``)
    buttons: bool = True
    #: (message id, the message before) for every edit, so tests see what changed
    edits: list[tuple[str, Rendered]] = field(default_factory=list)
    _on_inbound: InboundHandler | None = None
    _last_success: datetime | None = None

    async def start(self, on_inbound: InboundHandler) -> None:
        """The lifecycle every receiving transport has: ``inject`` then plays a person."""
        self._on_inbound = on_inbound

    async def stop(self) -> None:
        self._on_inbound = None

    async def close(self) -> None:
        """Nothing to let go of."""

    def last_success(self) -> datetime | None:
        return self._last_success

    async def inject(self, inbound: Inbound) -> Immediate | None:
        """An event from a person, through the hook ``start`` was given; returns what the
        app answered at once."""
        if self._on_inbound is None:
            raise RuntimeError("the memory transport is not started")
        return await self._on_inbound(inbound)

    def fail_next(self, *errors: TransportError) -> None:
        """The next sends raise these errors, in order."""
        self.failures.extend(errors)

    async def send(self, address: Address, message: Rendered) -> str:
        self.attempts += 1
        if address.chat_id in self.blocked:
            raise TransportError("blocked by the user", retryable=False, unreachable=True)
        if self.failures:
            raise self.failures.popleft()
        if message.edit is not None:
            for index, earlier in enumerate(self.sent):
                if earlier.message_id == message.edit and earlier.address == address:
                    self.edits.append((message.edit, earlier.message))
                    self.sent[index] = Sent(address, message, message.edit)
                    return message.edit
            raise TransportError("message to edit not found", retryable=False)
        message_id = str(len(self.sent) + 1)
        self.sent.append(Sent(address, message, message_id))
        self._last_success = datetime.now(UTC)
        return message_id

    def texts(self, chat_id: str | None = None) -> list[str]:
        """What each message reads as, markup dropped (``markup.plain``); ``sent`` keeps the
        markup as received."""
        return [
            plain(s.message.text)
            for s in self.sent
            if chat_id is None or s.address.chat_id == chat_id
        ]
