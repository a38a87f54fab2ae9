"""Pure converters between Telegram's types and Kompis's messages, and the error mapping.

No network here: ``to_inbound`` reads an ``Update``, ``to_html`` renders a message's markup as HTML,
``keyboard`` builds inline buttons from opaque ids, ``transport_error`` maps PTB's exceptions
to ``TransportError``.
"""

from __future__ import annotations

import html
import os
from datetime import timedelta

# PTB 22.2+ warns on every 429 unless durations are timedeltas (the future default): opt in,
# before PTB reads it (at each RetryAfter).
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.domain.markup import Span, parse
from bot.domain.messages import (
    BLOCKED,
    EDITED,
    GROUP,
    MESSAGE,
    Button,
    Inbound,
    Rendered,
    RenderedChoice,
)
from bot.transports.base import TransportError

PLATFORM = "telegram"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes, UTF-8
MAX_CAPTION = 1024
# Quiz polls (Bot API): question 1-300, 2-10 options of 1-100 (older clients: at most 10),
# explanation up to 200 characters with at most 2 line feeds.
POLL_QUESTION, POLL_OPTION, POLL_OPTIONS, POLL_EXPLANATION = 300, 100, (2, 10), 200
#: one inline keyboard row holds this many buttons at most (short labels); longer rows wrap
ROW = 2
_GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)


def to_html(message: Rendered) -> str:
    """Telegram HTML for a rendered message's markup: ``<b>``, ``<i>``, ``<a href>``, list
    items as "• " lines, every other character escaped (user text included, which the
    renderer already made literal), each span closing its own tags."""
    return "\n".join(
        ("• " if line.bullet else "") + "".join(_html_span(s) for s in line.spans)
        for line in parse(message.text)
    )


def _html_span(span: Span) -> str:
    out = html.escape(span.text, quote=False)
    if span.url:
        out = f'<a href="{html.escape(span.url, quote=True)}">{out}</a>'
    if span.italic:
        out = f"<i>{out}</i>"
    if span.bold:
        out = f"<b>{out}</b>"
    return out


def keyboard(buttons: tuple[Button, ...], ids: list[str]) -> InlineKeyboardMarkup | None:
    """Inline buttons carrying opaque ids (never the action itself), two to a row when the
    labels are short, one per row otherwise."""
    if not buttons:
        return None
    for action_id in ids:
        if len(action_id.encode()) > MAX_CALLBACK_DATA:
            raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes")
    row_size = ROW if all(len(b.label) <= 20 for b in buttons) else 1
    keys = [
        InlineKeyboardButton(b.label, callback_data=i) for b, i in zip(buttons, ids, strict=True)
    ]
    return InlineKeyboardMarkup([keys[n : n + row_size] for n in range(0, len(keys), row_size)])


def fits_poll(choice: RenderedChoice) -> bool:
    """Whether Telegram takes this choice as a native poll; otherwise it becomes buttons."""
    low, high = POLL_OPTIONS
    return (
        1 <= len(choice.question) <= POLL_QUESTION
        and low <= len(choice.options) <= high
        and all(1 <= len(option) <= POLL_OPTION for option in choice.options)
        and len(choice.explanation) <= POLL_EXPLANATION
        and choice.explanation.count("\n") <= 2
    )


def to_inbound(update: Update, bot_username: str) -> Inbound | None:
    """The Kompis event an update stands for, or ``None`` for updates Kompis ignores."""
    event_id = str(update.update_id)
    member = update.my_chat_member
    if member is not None:
        if member.chat.type != ChatType.PRIVATE or member.new_chat_member.status not in _GONE:
            return None
        user = member.from_user
        return Inbound(PLATFORM, str(user.id), str(member.chat.id), event_id=event_id, kind=BLOCKED)
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message else None
        return Inbound(
            PLATFORM,
            str(query.from_user.id),
            str(chat.id if chat else query.from_user.id),
            action=query.data or "",
            event_id=event_id,
            display_name=query.from_user.full_name,
            locale_hint=query.from_user.language_code,
            message_id=str(query.message.message_id) if query.message else None,
        )
    message = update.message or update.edited_message
    if message is None or message.from_user is None:
        return None
    if message.text is None:
        return _media(message, event_id) if update.message is not None else None
    user = message.from_user
    if message.chat.type != ChatType.PRIVATE:
        if not _addressed_to(message.text, bot_username):
            return None
        kind = GROUP
    else:
        kind = EDITED if update.edited_message is not None else MESSAGE
    return Inbound(
        PLATFORM,
        str(user.id),
        str(message.chat.id),
        text=message.text,
        event_id=event_id,
        display_name=user.full_name,
        locale_hint=user.language_code,
        kind=kind,
        message_id=str(message.message_id),
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
    )


#: what a person may send instead of text; Kompis answers that it reads text only
_MEDIA = ("photo", "document", "video", "voice", "audio", "video_note", "sticker", "animation")


def _media(message: Message, event_id: str) -> Inbound | None:
    """A picture, a file or a voice message in a private chat (caption as its text)."""
    user = message.from_user
    if user is None or message.chat.type != ChatType.PRIVATE:
        return None
    if not any(getattr(message, kind, None) for kind in _MEDIA):
        return None
    return Inbound(
        PLATFORM,
        str(user.id),
        str(message.chat.id),
        text=message.caption or "",
        event_id=event_id,
        display_name=user.full_name,
        locale_hint=user.language_code,
        message_id=str(message.message_id),
        media=True,
    )


def _addressed_to(text: str, bot_username: str) -> bool:
    """In a group, only ``/command@Bot`` or a mention of the bot is for Kompis."""
    first = text.strip().split(" ", 1)[0].lower()
    name = bot_username.lower()
    return (first.endswith(f"@{name}") and first.startswith("/")) or f"@{name}" in text.lower()


def transport_error(exc: TelegramError) -> TransportError:
    """PTB's exception as a ``TransportError``; subclasses are checked before ``NetworkError``
    (``BadRequest`` is one)."""
    text = str(exc)
    if isinstance(exc, RetryAfter):
        after = exc.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return TransportError(f"Telegram: {text}", retryable=True, retry_after=seconds)
    if isinstance(exc, Forbidden):
        return TransportError(f"Telegram: {text}", retryable=False, unreachable=True)
    if isinstance(exc, BadRequest):
        gone = "chat not found" in text.lower() or "user is deactivated" in text.lower()
        return TransportError(f"Telegram: {text}", retryable=False, unreachable=gone)
    if isinstance(exc, NetworkError):  # timeouts, 5xx, dropped connections
        return TransportError(f"Telegram: {type(exc).__name__}", retryable=True)
    return TransportError(f"Telegram: {type(exc).__name__}: {text}", retryable=False)


def not_modified(exc: TelegramError) -> bool:
    """An edit that changes nothing: the message already looks as wanted, so it is success."""
    return isinstance(exc, BadRequest) and "message is not modified" in str(exc).lower()


def no_text(exc: TelegramError) -> bool:
    """An edit of a message that has no text to replace (a poll): send the text anew."""
    text = str(exc).lower()
    return isinstance(exc, BadRequest) and (
        "there is no text in the message to edit" in text or "message can't be edited" in text
    )
