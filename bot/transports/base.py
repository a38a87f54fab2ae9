"""The Transport interface every platform edge implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.domain.messages import Address, Inbound, Rendered

InboundHandler = Callable[[Inbound], Awaitable[None]]


class TransportError(Exception):
    """A send failed. ``retryable``: try again later (after ``retry_after`` seconds if given);
    ``unreachable``: the person blocked the bot or the account is gone; stop trying."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.unreachable = unreachable


class Transport(Protocol):
    platform: str
    #: the longest text one message may carry; longer text is split before sending
    max_text: int

    async def send(self, address: Address, message: Rendered) -> str:
        """Deliver one message (already split to ``max_text``); returns the platform's id."""
        ...
