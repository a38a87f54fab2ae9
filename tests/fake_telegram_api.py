"""The Bot API methods of the fake Telegram server (``tests/fake_telegram.py``), strict
where Telegram is: limits on text, buttons, polls, captions; edits of messages that exist."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tests.fake_telegram_polls import NO_TEXT, PollError, check_quiz_poll, correct_options

BOT_ID = 123456789
BOT_USERNAME = "KompisTestBot"
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote"}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)


class _Tags(HTMLParser):
    """Telegram's HTML: known tags only, properly nested; anything else is a parse error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.error: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.error = f'Unexpected end tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.text.append(data)


class ApiError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class Message:
    chat_id: int
    message_id: int
    text: str  # as the person sees it (HTML parsed away)
    html: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    kind: str = "text"
    edits: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class BotApiMethods:
    """Mixed into ``FakeTelegram``: one ``_m_<method>`` per Bot API method."""

    messages: dict[int, list[Message]]
    by_id: dict[tuple[int, int], Message]
    blocked: set[int]
    answered: dict[str, dict[str, Any]]
    commands: dict[str, list[dict[str, str]]]
    webhook_url: str
    webhook_secret: str
    _message_id: int

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "A group"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Kompis",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getMe(self, _p: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    async def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        secret = str(p.get("secret_token", ""))
        if len(secret) > 256:
            raise ApiError(400, "Bad Request: secret token is too long")
        self.webhook_url, self.webhook_secret = str(p["url"]), secret
        return True

    async def _m_deleteWebhook(self, _p: dict[str, Any]) -> bool:
        self.webhook_url = self.webhook_secret = ""
        return True

    async def _m_setMyCommands(self, p: dict[str, Any]) -> bool:
        for command in p["commands"]:
            if not 1 <= len(command["command"]) <= 32 or not command["command"].isascii():
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[str(p.get("language_code", ""))] = p["commands"]
        return True

    def _chat_of(self, p: dict[str, Any]) -> int:
        chat_id = int(p["chat_id"])
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _markup(self, p: dict[str, Any]) -> list[list[dict[str, Any]]]:
        rows: list[list[dict[str, Any]]] = p.get("reply_markup", {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed")
        return rows

    def _parse(self, p: dict[str, Any]) -> str:
        text = str(p.get("text", ""))
        if p.get("parse_mode") != "HTML":
            plain = text
        else:
            parser = _Tags()
            parser.feed(text)
            parser.close()
            if parser.error or parser.open:
                error = (
                    parser.error
                    or f"Can't find end tag corresponding to start tag {parser.open[-1]}"
                )
                raise ApiError(400, f"Bad Request: can't parse entities: {error}")
            plain = "".join(parser.text)
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return plain

    def _store(self, message: Message) -> dict[str, Any]:
        self.messages.setdefault(message.chat_id, []).append(message)
        self.by_id[(message.chat_id, message.message_id)] = message
        return self._as_json(message)

    def _as_json(self, message: Message) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chat(message.chat_id),
            "from": self._bot_user(),
            "text": message.text,
        }
        if message.buttons:
            body["reply_markup"] = {"inline_keyboard": message.buttons}
        return body

    async def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_of(p)
        text = self._parse(p)
        buttons = self._markup(p)
        reply_to = p.get("reply_parameters", {}).get("message_id") or p.get("reply_to_message_id")
        if reply_to and (chat_id, int(reply_to)) not in self.by_id:
            raise ApiError(400, "Bad Request: message to be replied not found")
        self._message_id += 1
        extra = {"reply_to": int(reply_to)} if reply_to else {}
        message = Message(chat_id, self._message_id, text, str(p["text"]), buttons, extra=extra)
        return self._store(message)

    def _existing(self, p: dict[str, Any]) -> Message:
        found = self.by_id.get((int(p["chat_id"]), int(p["message_id"])))
        if found is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return found

    async def _m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(p)
        if message.kind == "poll":
            raise ApiError(400, NO_TEXT)
        text, buttons = self._parse(p), self._markup(p)
        if text == message.text and buttons == message.buttons:
            raise ApiError(
                400,
                NOT_MODIFIED,
            )
        message.text, message.html, message.buttons = text, str(p["text"]), buttons
        message.edits += 1
        return self._as_json(message)

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(p)
        buttons = self._markup(p)
        if buttons == message.buttons:
            raise ApiError(
                400,
                NOT_MODIFIED,
            )
        message.buttons = buttons
        message.edits += 1
        return self._as_json(message)

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        query_id = str(p["callback_query_id"])
        if query_id in self.answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(p.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered[query_id] = p
        return True

    async def _m_sendPoll(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_of(p)
        question, options = str(p["question"]), p["options"]
        if not 1 <= len(question) <= 300:
            raise ApiError(400, "Bad Request: poll question length must not exceed 300")
        if not 2 <= len(options) <= 10:
            raise ApiError(400, "Bad Request: poll must have at least 2 option")
        for option in options:
            text = option["text"] if isinstance(option, dict) else str(option)
            if not 1 <= len(text) <= 100:
                raise ApiError(400, "Bad Request: poll options length must not exceed 100")
        if len(str(p.get("explanation", ""))) > 200:
            raise ApiError(400, "Bad Request: explanation is too long")
        try:
            check_quiz_poll(p)
        except PollError as exc:
            raise ApiError(400, exc.description) from exc
        self._message_id += 1
        message = Message(chat_id, self._message_id, question, question, kind="poll")
        message.extra = {
            "options": options,
            "poll_id": f"poll{self._message_id}",
            "correct": correct_options(p),
            "explanation": str(p.get("explanation", "")),
        }
        body = self._store(message)
        body.pop("text")
        body["poll"] = {
            "id": message.extra["poll_id"],
            "question": question,
            "options": [
                {
                    "text": o["text"] if isinstance(o, dict) else o,
                    "voter_count": 0,
                    "persistent_id": f"o{n}",
                }
                for n, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": p.get("is_anonymous") not in ("False", "false"),
            "type": p.get("type", "regular"),
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        return body

    async def _m_stopPoll(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(p)
        if message.kind != "poll":
            raise ApiError(400, "Bad Request: message with poll to stop not found")
        if message.extra.get("closed"):
            raise ApiError(400, "Bad Request: poll has already been closed")
        message.extra["closed"] = True
        return {
            "id": message.extra["poll_id"],
            "question": message.text,
            "options": [],
            "total_voter_count": 0,
            "is_closed": True,
            "is_anonymous": False,
            "type": "quiz",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }

    async def _m_sendDocument(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_of(p)
        document = p.get("document")
        if not isinstance(document, dict):
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = str(p.get("caption", ""))
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        self._message_id += 1
        message = Message(chat_id, self._message_id, caption, caption, kind="document")
        message.extra = {"filename": document["filename"], "content": document["content"]}
        body = self._store(message)
        body["document"] = {
            "file_id": f"f{self._message_id}",
            "file_unique_id": "u",
            "file_name": document["filename"],
        }
        return body
