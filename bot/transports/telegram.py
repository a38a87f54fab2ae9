"""The Telegram transport: python-telegram-bot 22 inside Kompis's own event loop.

Long polling (PTB's ``Updater``) by default; with a webhook URL, ``set_webhook`` with the
secret token and updates arrive through ``bot.web`` instead. Updates are converted to
``Inbound`` by ``telegram_convert`` and handed to the app's hook one at a time, in order.
What cannot wait in the outbox happens here, inline: every callback query is answered and
the pressed message's keyboard is removed, so a button cannot be pressed twice by mistake.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from telegram import Bot, BotCommand, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import Updater
from telegram.request import HTTPXRequest

from bot.domain.messages import Address, Inbound, Rendered, with_fallback
from bot.transports.base import ActionRegistry, InboundHandler, Limits, TransportError
from bot.transports.telegram_convert import (
    MAX_CAPTION,
    MAX_TEXT,
    PLATFORM,
    fits_poll,
    keyboard,
    not_modified,
    to_html,
    to_inbound,
    transport_error,
)

log = logging.getLogger(__name__)

#: update types Kompis asks for (``my_chat_member`` tells when a person blocks the bot)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "poll_answer", "my_chat_member"]


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
            request=HTTPXRequest(connection_pool_size=64),
            get_updates_request=HTTPXRequest(read_timeout=timeout),
        )
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
        """Stop taking updates, handle those already fetched, close the connections."""
        if self._updater is not None and self._updater.running:
            await self._updater.stop()
        await self._queue.join()
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None
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

    async def process(self, payload: dict[str, Any]) -> None:
        """One update from the webhook (already authenticated by its secret token)."""
        update = Update.de_json(payload, self.bot)
        await self._queue.put(update)

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
            inbound = await self._pressed(query.id, inbound)
        if inbound is not None and self._on_inbound is not None:
            await self._on_inbound(inbound)

    async def _pressed(self, query_id: str, inbound: Inbound) -> Inbound:
        """A button: answer the query at once (Telegram shows a spinner until then), take the
        keyboard off the pressed message, and resolve the opaque id for this person only."""
        action = await self.actions.resolve(
            PLATFORM, inbound.workspace, inbound.action or "", inbound.user_id
        )
        await self._call(self.bot.answer_callback_query(query_id))
        if inbound.message_id is not None and action is not None:
            await self._call(
                self.bot.edit_message_reply_markup(
                    chat_id=int(inbound.chat_id), message_id=int(inbound.message_id)
                )
            )
        if action is None:
            return Inbound(**{**inbound.__dict__, "action": None, "kind": "refused"})
        return Inbound(**{**inbound.__dict__, "action": action})

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
        """One part: an edit of an earlier message, or a new text, file or quiz poll.
        Returns the platform's id of the message that now shows it."""
        if message.choice is not None and not fits_poll(message.choice):
            message = with_fallback(message, polls=False, buttons=True)
        try:
            if message.edit is not None:
                found = await self._edit(address, message)
            elif message.attachment is not None:
                found = await self._document(address, message)
            elif message.choice is not None:
                found = await self._poll(address, message)
            else:
                found = await self._text(address, message)
        except TelegramError as exc:
            raise transport_error(exc) from exc
        self._ok()
        return found

    async def _markup(self, address: Address, message: Rendered) -> InlineKeyboardMarkup | None:
        ids = await self.actions.register(address, [b.action for b in message.buttons])
        return keyboard(message.buttons, ids)

    async def _text(self, address: Address, message: Rendered) -> str:
        sent = await self.bot.send_message(
            chat_id=int(address.chat_id),
            text=to_html(message),
            parse_mode="HTML",
            reply_markup=await self._markup(address, message),
            reply_to_message_id=int(message.reply_to) if message.reply_to else None,
        )
        return str(sent.message_id)

    async def _edit(self, address: Address, message: Rendered) -> str:
        """Replace an earlier message's text (and buttons); "not modified" means it already
        reads so, which is success."""
        assert message.edit is not None
        try:
            await self.bot.edit_message_text(
                chat_id=int(address.chat_id),
                message_id=int(message.edit),
                text=to_html(message),
                parse_mode="HTML",
                reply_markup=await self._markup(address, message),
            )
        except TelegramError as exc:
            if not not_modified(exc):
                raise
        return message.edit

    async def _document(self, address: Address, message: Rendered) -> str:
        """A file with the text as its caption (or the text first, when it is too long)."""
        assert message.attachment is not None
        caption = to_html(message)
        if len(message.text) > MAX_CAPTION:
            await self._text(address, replace(message, buttons=()))
            caption = ""
        sent = await self.bot.send_document(
            chat_id=int(address.chat_id),
            document=InputFile(
                base64.b64decode(message.attachment.content),
                filename=message.attachment.filename,
            ),
            caption=caption or None,
            parse_mode="HTML" if caption else None,
            reply_markup=await self._markup(address, message),
        )
        return str(sent.message_id)

    async def _poll(self, address: Address, message: Rendered) -> str:
        """A native poll (a quiz when it has a right answer), after the text if there is
        one; each answer comes back as the choice's action with the option number."""
        choice = message.choice
        assert choice is not None
        if message.text.strip():
            await self._text(address, replace(message, choice=None))
        sent = await self.bot.send_poll(
            chat_id=int(address.chat_id),
            question=choice.question,
            options=list(choice.options),
            is_anonymous=False,  # anonymous polls report no answers
            type="quiz" if choice.correct else "regular",
            correct_option_ids=cast(Any, [choice.correct - 1]) if choice.correct else None,
            explanation=choice.explanation or None,
        )
        if sent.poll is not None:
            await self.actions.bind(address, sent.poll.id, choice.action)
        return str(sent.message_id)


async def bot_username(token: str, api_url: str) -> str:
    """The bot's username from getMe (for invitation links), without starting anything."""
    bot = Bot(token, base_url=api_url.rstrip("/"))
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
