"""A strict fake Telegram Bot API on loopback, for the real PTB client to talk to over HTTP.

It serves ``/bot<token>/<method>`` (form-encoded or multipart bodies with JSON-encoded nested
fields, as PTB sends them), refuses what Telegram refuses (text over 4096 characters,
callback data over 64 bytes, HTML it cannot parse, editing a message that does not exist,
an unchanged edit), answers 429 with ``retry_after`` above a configurable rate and 403 for a
user who blocked the bot, and records what every chat received. Tests make people act with
``write``, ``press``, ``edit`` and ``block``; in webhook mode updates are POSTed to the
registered URL with the secret token header, as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno"
BOT_ID = 123456789
BOT_USERNAME = "KompisTestBot"
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote"}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)
SEND_METHODS = {"sendMessage", "sendPoll", "sendDocument"}


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


class FakeTelegram:
    """The fake server; ``async with FakeTelegram() as fake`` runs it on a free port."""

    def __init__(self, per_second: float = 30.0, retry_after: int = 1) -> None:
        self.per_second = per_second
        self.retry_after = retry_after
        self.messages: dict[int, list[Message]] = {}
        self.by_id: dict[tuple[int, int], Message] = {}
        self.blocked: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answered: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.refused_429 = 0
        self.errors: list[str] = []
        #: injected failures for the next send or edit: (HTTP status, body as text)
        self.fail_next: deque[tuple[int, str]] = deque()
        self._updates: list[dict[str, Any]] = []
        self._update_id = 1000
        self._message_id = 0
        self._query_id = 0
        self._new_update = asyncio.Event()
        self._sends: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ---- what people do --------------------------------------------------------------

    def _user(self, user_id: int, language: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language:
            user["language_code"] = language
        return user

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "A group"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    async def write(
        self, user_id: int, text: str, language: str | None = "nb", chat_id: int | None = None
    ) -> int:
        """A person sends a text (in their private chat unless ``chat_id`` is a group)."""
        self._message_id += 1
        message = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id or user_id),
            "from": self._user(user_id, language),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._push({"message": message})
        return self._message_id

    async def edit(self, user_id: int, message_id: int, text: str, language: str = "nb") -> None:
        """A person edits a message they sent earlier."""
        await self._push(
            {
                "edited_message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "edit_date": int(time.time()),
                    "chat": self._chat(user_id),
                    "from": self._user(user_id, language),
                    "text": text,
                }
            }
        )

    async def press(
        self,
        user_id: int,
        message: Message,
        data: str,
        language: str | None = "nb",
        forwarded_to: int | None = None,
    ) -> str:
        """A person presses a button (``data`` may be forged: anything at all); with
        ``forwarded_to``, on a copy of ``message`` forwarded into that chat."""
        self._query_id += 1
        query_id = f"q{self._query_id}"
        await self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, language),
                    "chat_instance": f"ci{message.chat_id}",
                    "data": data,
                    "message": {
                        "message_id": message.message_id,
                        "date": int(time.time()),
                        "chat": self._chat(forwarded_to or message.chat_id),
                        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Kompis"},
                        "text": message.text,
                    },
                }
            }
        )
        return query_id

    async def block(self, user_id: int) -> None:
        """A person blocks the bot: sends to them fail with 403 and Kompis is told."""
        self.blocked.add(user_id)
        member = {"user": {"id": BOT_ID, "is_bot": True, "first_name": "Kompis"}}
        await self._push(
            {
                "my_chat_member": {
                    "chat": self._chat(user_id),
                    "from": self._user(user_id, None),
                    "date": int(time.time()),
                    "old_chat_member": {**member, "status": "member"},
                    "new_chat_member": {**member, "status": "kicked", "until_date": 0},
                }
            }
        )

    async def _push(self, body: dict[str, Any]) -> None:
        self._update_id += 1
        update = {"update_id": self._update_id, **body}
        if self.webhook_url:
            if self._client is None:
                self._client = aiohttp.ClientSession()
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
            async with self._client.post(self.webhook_url, json=update, headers=headers) as r:
                if r.status != 200:
                    self.errors.append(f"webhook answered {r.status}")
            return
        self._updates.append(update)
        self._new_update.set()

    # ---- what tests read -------------------------------------------------------------

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.messages.get(chat_id, [])]

    def last(self, chat_id: int) -> Message:
        found = self.messages.get(chat_id)
        assert found, f"chat {chat_id} received nothing"
        return found[-1]

    def with_buttons(self, chat_id: int) -> Message:
        for message in reversed(self.messages.get(chat_id, [])):
            if message.buttons:
                return message
        raise AssertionError(f"chat {chat_id} has no message with buttons")

    async def wait_for(self, chat_id: int, count: int, within: float = 10.0) -> list[str]:
        """Wait until ``chat_id`` received ``count`` messages in all (delivery runs in the
        background); fails with what it got so far."""
        deadline = time.monotonic() + within
        while len(self.messages.get(chat_id, [])) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"chat {chat_id} got {self.texts(chat_id)}, wanted {count}")
            await asyncio.sleep(0.01)
        return self.texts(chat_id)

    def pending_updates(self) -> int:
        return len(self._updates)

    # ---- the Bot API -----------------------------------------------------------------

    async def _route(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        if (method in SEND_METHODS or method.startswith("edit")) and self.fail_next:
            status, body = self.fail_next.popleft()
            return web.Response(status=status, text=body, content_type="text/html")
        try:
            if method in SEND_METHODS or method.startswith("edit"):
                self._spend()
            result = await handler(params)
        except ApiError as exc:
            return self._error(exc.status, exc.description, **exc.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "content": value.file.read()}
                continue
            text = str(value)
            if key in ("reply_markup", "allowed_updates", "commands", "options", "entities"):
                params[key] = json.loads(text)
            else:
                params[key] = text
        return params

    def _error(self, status: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    def _spend(self) -> None:
        """The overall flood limit: more than ``per_second`` sends in a second draws a 429."""
        now = time.monotonic()
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        if len(self._sends) >= self.per_second:
            self.refused_429 += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                retry_after=self.retry_after,
            )
        self._sends.append(now)

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

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset", 0) or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(p.get("timeout", 0) or 0)
        if not self._updates and timeout:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                return []
        limit = int(p.get("limit", 100) or 100)
        return self._updates[:limit]

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
        reply_to = p.get("reply_to_message_id")
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
        self._message_id += 1
        message = Message(chat_id, self._message_id, question, question, kind="poll")
        message.extra = {"options": options, "poll_id": f"poll{self._message_id}"}
        body = self._store(message)
        body.pop("text")
        body["poll"] = {
            "id": message.extra["poll_id"],
            "question": question,
            "options": [
                {"text": o["text"] if isinstance(o, dict) else o, "voter_count": 0} for o in options
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": p.get("is_anonymous") not in ("False", "false"),
            "type": p.get("type", "regular"),
            "allows_multiple_answers": False,
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
