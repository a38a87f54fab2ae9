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
from typing import Any

import aiohttp
from aiohttp import web

from tests.fake_telegram_api import BOT_ID, BOT_USERNAME, ApiError, BotApiMethods, Message

__all__ = ["BOT_USERNAME", "TOKEN", "FakeTelegram", "Message"]

# Built at run time so that no token-shaped literal is committed (the repository is scanned).
TOKEN = "123456789:" + "AA" + "FakeTokenForTestsOnly_abcdefghijklmno"
SEND_METHODS = {"sendMessage", "sendPoll", "sendDocument"}


class FakeTelegram(BotApiMethods):
    """The fake server; ``async with FakeTelegram() as fake`` runs it on a free port."""

    def __init__(self, per_second: float = 30.0, retry_after: int = 1) -> None:
        self.per_second = per_second
        self.retry_after = retry_after
        self.messages: dict[int, list[Message]] = {}
        self.by_id: dict[tuple[int, int], Message] = {}
        self.blocked: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.timeline: list[tuple[str, float]] = []  # (method, time.monotonic()) per call
        self.answered: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.refused_429 = 0
        self.errors: list[str] = []
        self.down = False  # every request gets a 502 while set
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

    async def write(
        self,
        user_id: int,
        text: str,
        language: str | None = "nb",
        chat_id: int | None = None,
        reply_to: Message | None = None,
    ) -> int:
        """A person sends a text (in their private chat unless ``chat_id`` is a group),
        perhaps as a reply to a message Kompis sent."""
        self._message_id += 1
        message = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id or user_id),
            "from": self._user(user_id, language),
            "text": text,
        }
        if reply_to is not None:
            message["reply_to_message"] = self._as_json(reply_to)
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

    async def vote(self, user_id: int, poll: Message, option: int) -> None:
        """A person answers a poll Kompis sent (``option`` from 0, as Telegram counts)."""
        await self._push(
            {
                "poll_answer": {
                    "poll_id": poll.extra["poll_id"],
                    "user": self._user(user_id, "nb"),
                    "option_ids": [option],
                    "option_persistent_ids": [f"o{option}"],
                }
            }
        )

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
        if self.down:  # Telegram's front end without a Bot API behind it
            return web.Response(status=502, text="<html>Bad Gateway</html>")
        params = await self._params(request)
        self.calls.append((method, params))
        self.timeline.append((method, time.monotonic()))
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
            if key in (
                "reply_markup",
                "reply_parameters",
                "allowed_updates",
                "commands",
                "options",
                "entities",
                "correct_option_ids",
            ):
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
