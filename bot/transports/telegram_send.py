"""What Kompis sends to Telegram: texts with inline keyboards of opaque ids, edits (where
"message is not modified" is success), files, and choices as native polls."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any, cast

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.error import TelegramError

from bot.domain.messages import Address, Rendered, with_fallback
from bot.transports.base import ActionRegistry
from bot.transports.telegram_convert import (
    MAX_CAPTION,
    fits_poll,
    keyboard,
    no_text,
    not_modified,
    to_html,
)


class TelegramOutbound:
    def __init__(self, bot: Bot, actions: ActionRegistry) -> None:
        self.bot = bot
        self.actions = actions

    async def send(self, address: Address, message: Rendered) -> str:
        """One part: an edit of an earlier message, or a new text, file or quiz poll.
        Returns the platform's id of the message that now shows it; raises PTB's errors."""
        if message.choice is not None and not fits_poll(message.choice):
            message = with_fallback(message, polls=False, buttons=True)
        if message.edit is not None:
            return await self._edit(address, message)
        if message.attachment is not None:
            return await self._document(address, message)
        if message.choice is not None:
            return await self._poll(address, message)
        return await self._text(address, message)

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
            if no_text(exc):  # a poll (a quiz's answered question): the new text below it
                return await self._text(address, replace(message, edit=None, reply_to=None))
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
