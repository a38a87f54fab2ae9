"""The Telegram transport: python-telegram-bot 22 inside Kompis's own event loop.

Long polling (PTB's ``Updater``) by default, updates handed to the app's hook one at a time,
in order; with a webhook URL, ``set_webhook`` with the secret token, and each update arrives
through ``bot.web`` and is handled before its request is answered. Updates are converted to
``Inbound`` by ``telegram_convert``.
What cannot wait in the outbox happens here, inline: every callback query is answered and
the pressed message's keyboard is removed, so a button cannot be pressed twice by mistake.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Updater

from bot.domain.messages import MESSAGE, REFUSED, Address, Immediate, Inbound, Rendered
from bot.transports.base import ActionRegistry, InboundHandler, Limits, TransportError
from bot.transports.telegram_client import Watched, redact
from bot.transports.telegram_convert import (
    MAX_TEXT,
    PLATFORM,
    not_modified,
    to_inbound,
    transport_error,
)
from bot.transports.telegram_send import TelegramOutbound

log = logging.getLogger(__name__)

#: update types Kompis asks for (``my_chat_member`` tells when a person blocks the bot)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "poll_answer", "my_chat_member"]


class NotReady(RuntimeError):
    """A webhook update came before the transport started (or after it stopped)."""


@dataclass
class TelegramOptions:
    token: str
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    poll_timeout: float = 10.0  # seconds a getUpdates long poll waits
    #: the command menu per language code ("" for the default): (command, description)
    commands: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class TelegramTransport:
    """Sends rendered messages and receives updates for one bot."""

    platform = PLATFORM
    max_text = MAX_TEXT
    polls = True  # a Choice is sent as a native poll
    buttons = True

    def __init__(
        self, options: TelegramOptions, actions: ActionRegistry, limits: Limits | None = None
    ) -> None:
        self.options = options
        self.actions = actions
        self.limits = limits
        base_url = options.api_url.rstrip("/")
        timeout = options.poll_timeout + 5
        self.bot = Bot(
            options.token,
            base_url=base_url,
            request=Watched(self._answered_http, connection_pool_size=64),
            get_updates_request=Watched(self._answered_http, read_timeout=timeout),
        )
        self.outbound = TelegramOutbound(self.bot, actions)
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._updater: Updater | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._on_inbound: InboundHandler | None = None
        self._last_success: datetime | None = None
        self.username = ""

    @property
    def webhook(self) -> bool:
        return self.options.webhook_url is not None

    def private_link(self) -> str:
        """Where a person starts a private chat with the bot (the answer in groups)."""
        return f"https://t.me/{self.username}"

    async def start(self, on_inbound: InboundHandler) -> None:
        """getMe, the command menus, then polling or the webhook."""
        self._on_inbound = on_inbound
        try:
            await self.bot.initialize()
            self.username = self.bot.username
            await self._set_commands()
            if self.webhook:
                await self.bot.set_webhook(
                    str(self.options.webhook_url),
                    secret_token=self.options.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                await self.bot.delete_webhook()
                self._updater = Updater(self.bot, self._queue)
                await self._updater.initialize()
                await self._updater.start_polling(
                    timeout=timedelta(seconds=self.options.poll_timeout),
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=self._polling_error,
                )
        except TelegramError as exc:
            await self._close()
            text = redact(str(exc), self.options.token)
            raise TransportError(
                f"Telegram did not start: {type(exc).__name__}: {text}", retryable=False
            ) from None  # the cause's traceback may carry the bot URL, token included
        self._consumer = asyncio.create_task(self._consume(), name="telegram-updates")
        self._ok()

    def _polling_error(self, exc: TelegramError) -> None:
        self._last_success = None
        log.warning("Telegram polling failed: %s", type(exc).__name__)

    async def _set_commands(self) -> None:
        for language, commands in self.options.commands.items():
            await self.bot.set_my_commands(
                [BotCommand(name, text) for name, text in commands], language_code=language or None
            )

    async def stop(self) -> None:
        """Stop taking updates and handle those already fetched (sending still works)."""
        if self._updater is not None and self._updater.running:
            await self._updater.stop()
        await self._queue.join()
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None
        self._on_inbound = None  # a late webhook update is refused (Telegram retries it)

    async def close(self) -> None:
        """Let go of the connections (after delivery stopped)."""
        await self._close()

    async def _close(self) -> None:
        if self._updater is not None:
            if self._updater.running:
                await self._updater.stop()
            await self._updater.shutdown()
            self._updater = None
        await self.bot.shutdown()  # does nothing when already shut down

    def last_success(self) -> datetime | None:
        return self._last_success

    def _ok(self) -> None:
        self._last_success = datetime.now(UTC)

    def _answered_http(self, ok: bool) -> None:
        if ok:
            self._ok()
        else:
            self._last_success = None

    async def process(self, payload: dict[str, Any]) -> None:
        """One update from the webhook (already authenticated by its secret token), handled
        before the request is answered: Telegram redelivers it if this fails, and a
        redelivery is recognised by its update id."""
        if self._on_inbound is None:
            raise NotReady("the Telegram transport is not started")
        await self._handle(Update.de_json(payload, self.bot))

    async def _consume(self) -> None:
        while True:
            update = await self._queue.get()
            try:
                if isinstance(update, Update):
                    await self._handle(update)
            except Exception:  # one bad update must not stop the others
                log.exception("a Telegram update failed")
            finally:
                self._queue.task_done()

    async def _handle(self, update: Update) -> None:
        if update.poll_answer is not None:
            await self._answered(update)
            return
        inbound = to_inbound(update, self.username)
        query = update.callback_query
        if query is not None and inbound is not None:
            await self._pressed(query.id, inbound)
        elif inbound is not None and self._on_inbound is not None:
            await self._on_inbound(inbound)

    async def _pressed(self, query_id: str, inbound: Inbound) -> None:
        """A button: resolve the opaque id for this person only, take the keyboard off the
        pressed message, hand the press on, then answer the query (Telegram shows a spinner
        until then; always answered, with the app's toast if it has one)."""
        action = await self.actions.resolve(
            PLATFORM, inbound.workspace, inbound.action or "", inbound.user_id
        )
        pressed = Inbound(
            **{**inbound.__dict__, "action": action, "kind": MESSAGE if action else REFUSED}
        )
        # The keyboard comes off first: a reply that edits the pressed message (an RSVP
        # shown on it, a quiz's marked answer, with their buttons) may go out before this
        # method returns, and must not be undone.
        if inbound.message_id is not None and action is not None:
            await self._call(
                self.bot.edit_message_reply_markup(
                    chat_id=int(inbound.chat_id), message_id=int(inbound.message_id)
                )
            )
        immediate: Immediate | None = None
        try:
            if self._on_inbound is not None:
                immediate = await self._on_inbound(pressed)
        finally:
            toast = immediate.toast if immediate else None
            await self._call(self.bot.answer_callback_query(query_id, text=toast))

    async def _answered(self, update: Update) -> None:
        """A vote in a poll Kompis sent: the choice's action with the option (from 1), for
        the person the poll was sent to only (a retracted vote is ignored)."""
        answer = update.poll_answer
        assert answer is not None
        if answer.user is None or not answer.option_ids or self._on_inbound is None:
            return
        user = answer.user
        action = await self.actions.resolve(PLATFORM, "", answer.poll_id, str(user.id))
        if action is None:
            return
        await self._on_inbound(
            Inbound(
                PLATFORM,
                str(user.id),
                str(user.id),
                action=f"{action}:{answer.option_ids[0] + 1}",
                event_id=str(update.update_id),
                display_name=user.full_name,
                locale_hint=user.language_code,
            )
        )

    async def _call(self, request: Any) -> None:
        """An immediate request whose failure must not lose the event (the press still
        counts): logged, never raised."""
        try:
            await request
            self._ok()
        except TelegramError as exc:
            if not not_modified(exc):
                log.warning("Telegram immediate request failed: %s", type(exc).__name__)

    async def send(self, address: Address, message: Rendered) -> str:
        """One part (see ``TelegramOutbound.send``); any Telegram error as TransportError."""
        try:
            found = await self.outbound.send(address, message)
        except TelegramError as exc:
            raise transport_error(exc) from exc
        self._ok()
        return found
