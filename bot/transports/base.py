"""The Transport interface every platform edge implements, and its lifecycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class Limits:
    """A platform's send budget, in messages per second; ``None`` means no limit of that kind.

    ``per_second`` is shared by everything one bot sends (Telegram) or by one workspace
    (Slack: ``Address.workspace``); ``chat_per_second`` applies per chat or channel;
    ``group_per_minute`` applies per group chat (Telegram: negative chat ids). The ``*_burst``
    values are bucket sizes: how many sends may go back to back before the rate applies.
    """

    per_second: float | None = None
    burst: float = 1.0
    chat_per_second: float | None = None
    chat_burst: float = 1.0
    group_per_minute: float | None = None
    group_burst: float = 1.0


class ActionRegistry(Protocol):
    """Server-side button actions (implemented in ``bot.storage.actions``).

    Platforms with small button payloads (Telegram: 64 bytes) carry an opaque id instead of
    the action; the id is resolved here, and only for the person the button was sent to."""

    async def register(self, address: Address, actions: Sequence[str]) -> list[str]:
        """One opaque id per action, bound to the person behind ``address``."""
        ...

    async def bind(self, address: Address, action_id: str, action: str) -> None:
        """Keep ``action`` under an id the platform chose (a Telegram poll id)."""
        ...

    async def resolve(
        self, platform: str, workspace: str, action_id: str, presser: str
    ) -> str | None:
        """The action behind ``action_id`` if ``presser`` (a platform user id) is the person
        it was sent to; ``None`` for an unknown, forged or someone else's button."""
        ...


class Transport(Protocol):
    platform: str
    #: the longest text one message may carry; longer text is split before sending
    max_text: int
    #: the platform's send budget; ``None``: the app's configured default for the platform
    limits: Limits | None

    async def send(self, address: Address, message: Rendered) -> str:
        """Deliver one message (already split to ``max_text``); returns the platform's id."""
        ...


class Lifecycle(Protocol):
    """A transport that receives events on its own (polling, a socket, a webhook): started
    with the hook inbound events go to, stopped before the app shuts down."""

    async def start(self, on_inbound: InboundHandler) -> None: ...

    async def stop(self) -> None: ...

    def last_success(self) -> datetime | None:
        """When the platform last answered a request; ``None`` before the first or after a
        failure (``/healthz`` reports it)."""
        ...


def has_lifecycle(transport: object) -> bool:
    return all(callable(getattr(transport, name, None)) for name in ("start", "stop"))
