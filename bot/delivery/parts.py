"""Render one outbox row for its recipient and send it, part by part, within the budget.

A message longer than the platform's limit goes out in parts; each part spends send budget
(this process's limiter, and the budget processes share through the database when there
are several), and each part is recorded as soon as it is out, so neither a failure nor a
crash sends a part twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.delivery.ratelimit import RateLimiter, SharedBudget
from bot.delivery.targets import Target
from bot.domain.messages import Address, Outgoing, Rendered, split_text, with_fallback
from bot.rendering.renderer import Renderer
from bot.storage.db import Database
from bot.storage.repo import OutboxItem, unit
from bot.transports.base import Transport, TransportError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# waits for send budget while keeping the claim's lease alive: (seconds, claim)
Pause = Callable[[float, str], Awaitable[None]]


class NotOurs(Exception):
    """The claim lost its row while the send waited (for budget, or stalled): nothing of it
    was sent, and another worker's claim has it now."""


class PartlySent(Exception):
    """A split message failed at part ``sent`` (that many parts are out); ``ids``: the
    platform's message ids of the parts this attempt sent."""

    def __init__(self, error: TransportError, sent: int, ids: list[str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent
        self.ids = ids


class PartSender:
    """Turns a composed message into what the recipient's platform shows, and sends it."""

    def __init__(
        self,
        db: Database,
        renderer: Renderer,
        limiters: dict[str, RateLimiter],
        shared: SharedBudget | None,
        sleep: Sleep,
        pause: Pause,
    ) -> None:
        self.db = db
        self.renderer = renderer
        self.limiters = limiters
        self.shared = shared
        self.sleep = sleep
        self.pause = pause

    async def render(
        self, outgoing: Outgoing, target: Target, transport: Transport
    ) -> tuple[Address, Rendered]:
        """The intent, rendered late in the recipient's language for their platform: an
        edit or a reply pointed at the platform message it names, and what the transport
        cannot show (a poll, buttons) turned into what it can."""
        rendered = self.renderer.render(outgoing, target[1])
        address, rendered = await self._references(target[0], rendered, outgoing)
        return address, with_fallback(
            rendered, getattr(transport, "polls", False), getattr(transport, "buttons", True)
        )

    async def _references(
        self, address: Address, rendered: Rendered, outgoing: Outgoing
    ) -> tuple[Address, Rendered]:
        """Point an edit or a reply at the platform message its outbox key names. If that
        message is not out yet, or went out on another platform, this one is sent as a new
        message instead: never dropped."""
        if not (outgoing.edit_of or outgoing.reply_to):
            return address, rendered
        async with unit(self.db) as store:
            edited = await store.sent_parts(outgoing.edit_of) if outgoing.edit_of else None
            answered = await store.sent_parts(outgoing.reply_to) if outgoing.reply_to else None
        if edited and edited[1] and edited[0].platform == address.platform:
            return edited[0], replace(rendered, edit=edited[1][0])
        if answered and answered[1] and answered[0] == address:
            return address, replace(rendered, reply_to=answered[1][0])
        return address, rendered

    async def send(
        self,
        transport: Transport,
        address: Address,
        rendered: Rendered,
        item: OutboxItem,
        still_ours: Callable[[], Awaitable[bool]] | None = None,
    ) -> list[str]:
        """Split to the platform's limit; buttons, a choice and a file go with the last part,
        an edit and a reply with the first. Parts that went out on an earlier attempt are
        skipped. Every part spends budget; the first part's budget was checked by the
        caller. Returns the platform's message id of each part sent. ``still_ours`` is asked
        right before the first part goes out, after every wait (``NotOurs`` if not)."""
        parts = split_text(rendered.text, transport.max_text)
        limiter = self.limiters[address.platform]
        ids: list[str] = []
        for index in range(item.parts_sent, len(parts)):
            last, first = index == len(parts) - 1, index == 0
            # Later parts wait for their chat here: the message is already half out.
            while (wait := limiter.wait(address)) > 0:
                await self.pause(wait, item.claim)
            limiter.take(address)
            if self.shared is not None:  # this send's slot of the budget processes share
                await self.shared.acquire(address, self.sleep)
            part = Rendered(
                parts[index],
                rendered.buttons if last else (),
                rendered.choice if last else None,
                rendered.attachment if last else None,
                rendered.edit if first else None,
                rendered.reply_to if first else None,
            )
            if index == item.parts_sent and still_ours is not None and not await still_ours():
                raise NotOurs(item.id)
            try:
                ids.append(await self._send_part(transport, address, part))
            except TransportError as exc:
                raise PartlySent(exc, index, ids) from exc
            if not last:
                async with unit(self.db) as store:
                    await store.save_parts_sent(item.id, item.claim, index + 1)
        return ids

    async def _send_part(self, transport: Transport, address: Address, part: Rendered) -> str:
        """Send one part. An edit the platform refuses for good (the message was deleted,
        or is too old to edit) goes out as a new message instead: the text says it is a
        correction, so the person reads it as one."""
        try:
            return await transport.send(address, part)
        except TransportError as exc:
            if part.edit is None or exc.retryable or exc.unreachable:
                raise
            log.info("edit impossible (%s); sending it as a new message", exc)
        return await transport.send(address, replace(part, edit=None))
