"""A strict fake of the Slack Web API on loopback, for the real ``slack_sdk`` clients.

    async with FakeSlack() as slack:
        team = slack.add_team("Troms og Finnmark")
        kari = slack.add_user(team.id, "Kari", email="kari@example.org", locale="nb-NO")
        client = slack.client(team.id)  # AsyncWebClient(token=..., base_url=slack.url)
        await client.chat_postMessage(channel=kari.id, text="Hei")
        assert slack.received(slack.dm_channel(team.id, kari.id))[0].text == "Hei"

It runs an aiohttp server on 127.0.0.1 (port 0) in the test's event loop and accepts GET and
POST with query, form and JSON arguments, as slack-sdk sends them. It answers like Slack: errors
are HTTP 200 ``{"ok": false, "error": ...}``; over a rate limit it answers 429 with
``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``; a revoked token or an
uninstalled workspace is refused. Every request is recorded in ``calls``. The control API is
plain Python (this class's methods); nothing on the wire but the Web API.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack_files import FakeFile
from tests.fake_slack_http import failure_body, read_request, respond
from tests.fake_slack_limits import SLACK_CHANNEL_LIMIT, Limit, RateLimits, Throttle
from tests.fake_slack_methods import HANDLERS, World
from tests.fake_slack_state import (
    Call,
    Ephemeral,
    FakeTeam,
    FakeUser,
    FakeView,
    InjectedFailure,
    Posted,
    Refusal,
)
from tests.slack_signing import message_im

DEFAULT_SCOPES = (
    "chat:write",
    "files:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
)
REVOKED_ERRORS = ("invalid_auth", "token_revoked", "account_inactive")


class FakeSlack:
    """The fake server and its control API. ``clock`` (seconds, like ``time.time``) drives
    message timestamps, rate-limit windows and trigger expiry; inject one to test limits
    without waiting."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.world = World(clock)
        self.throttle = Throttle(clock)
        self.calls: list[Call] = []
        self._failures: list[InjectedFailure] = []
        self._holds: dict[str, asyncio.Event] = {}
        self._called = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/api/"
        self.world.upload_base = f"http://{host}:{port}/upload/"
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def client(self, team_id: str, **kwargs: Any) -> AsyncWebClient:
        """A real slack-sdk client with the team's bot token, pointed at this fake."""
        return AsyncWebClient(
            token=self.world.teams[team_id].bot_token, base_url=self.url, **kwargs
        )

    # -- control: workspaces, people, channels ---------------------------------------------

    def add_team(self, name: str, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> FakeTeam:
        w = self.world
        team_id = w.ids.new("T")
        team = FakeTeam(
            id=team_id,
            name=name,
            domain=name.lower().replace(" ", "-"),
            bot_token=f"xoxb-fake-{team_id}-{w.ids.new('')}",
            bot_user_id=w.ids.new("U"),
            bot_id=w.ids.new("B"),
            app_id="A0KOMPIS01",
            scopes=scopes,
        )
        w.teams[team_id] = team
        w.tokens[team.bot_token] = team_id
        return team

    def add_user(
        self,
        team_id: str,
        name: str,
        email: str | None = None,
        locale: str = "en-US",
        tz: str = "Europe/Oslo",
    ) -> FakeUser:
        """A person in one workspace; ``locale`` is BCP-47 with a hyphen, as Slack sends it."""
        offset = datetime.fromtimestamp(self.world.clock(), ZoneInfo(tz)).utcoffset()
        user = FakeUser(
            id=self.world.ids.new("U"),
            team_id=team_id,
            name=name,
            email=email,
            locale=locale,
            tz=tz,
            tz_offset=int(offset.total_seconds()) if offset else 0,
        )
        self.world.teams[team_id].users[user.id] = user
        return user

    def deactivate_user(self, team_id: str, user_id: str) -> None:
        """The person left the workspace: ``users.info`` says deleted, DMs cannot be opened."""
        self.world.teams[team_id].users[user_id].deleted = True

    def add_channel(self, team_id: str) -> str:
        channel = self.world.ids.new("C")
        self.world.teams[team_id].channels.add(channel)
        return channel

    def dm_channel(self, team_id: str, user_id: str) -> str:
        """The stable ``D...`` id of the bot's DM with a person (opened if need be, as when
        the person writes to the bot first)."""
        team = self.world.teams[team_id]
        return self.world.open_dm(team, team.users[user_id])

    def user_writes(
        self, team_id: str, user_id: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """The person writes to the app in their DM: the message joins the channel (so the
        bot can answer in its thread) and the ``message.im`` event Slack delivers is returned
        (sign it with ``SlackSigner.event``)."""
        channel = self.dm_channel(team_id, user_id)
        posted = Posted(channel, self.world.new_ts(), text, None, thread_ts, user_id)
        self.world.messages.setdefault(channel, []).append(posted)
        return message_im(user_id, channel, text, ts=posted.ts, thread_ts=thread_ts)

    def revoke_token(self, token: str, error: str = "invalid_auth") -> None:
        """From now on ``token`` answers ``error`` (``invalid_auth``, ``token_revoked`` or
        ``account_inactive``)."""
        if error not in REVOKED_ERRORS:
            raise ValueError(f"revoke_token: error must be one of {REVOKED_ERRORS}")
        self.world.revoked[token] = error

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: its bot token answers ``account_inactive``."""
        team = self.world.teams[team_id]
        team.installed = False
        self.world.revoked[team.bot_token] = "account_inactive"

    def oauth_code(self, team_id: str) -> str:
        """A one-time code, as Slack's redirect after "Allow" carries it."""
        code = f"code-{team_id}-{self.world.ids.new('')}"
        self.world.codes[code] = team_id
        return code

    def trigger(self, team_id: str, user_id: str = "") -> str:
        """A ``trigger_id`` as a person's interaction carries it: opens one modal (for that
        person) within 3 s."""
        trigger = f"{int(self.world.clock())}.{self.world.ids.new('')}.fake"
        self.world.triggers[trigger] = (team_id, user_id, self.world.clock())
        return trigger

    # -- control: limits and failures ------------------------------------------------------

    def set_rate_limits(
        self,
        channel: Limit | None = SLACK_CHANNEL_LIMIT,
        workspace: Limit | None = None,
        methods: dict[str, Limit] | None = None,
    ) -> None:
        """``channel``: ``chat.postMessage`` per channel; ``workspace``: posting methods per
        team; ``methods``: a given method per team (e.g. ``conversations.open``)."""
        self.throttle.limits = RateLimits(channel, workspace, dict(methods or {}))

    def fail_next(
        self,
        status: int = 500,
        method: str | None = None,
        times: int = 1,
        html: bool = False,
        deliver: bool = False,
    ) -> None:
        """The next ``times`` calls (of ``method``, or any) answer ``status``. ``html`` sends an
        HTML error page instead of JSON; ``deliver`` lets the call take effect first (the
        answer is lost, as when a connection drops after Slack posted)."""
        self._failures += [InjectedFailure(status, method, html, deliver)] * times

    def hold(self, method: str) -> asyncio.Event:
        """Calls to ``method`` wait for their answer until the returned event is set (a slow
        Slack, to catch a listener mid-way)."""
        return self._holds.setdefault(method, asyncio.Event())

    # -- reading what happened -------------------------------------------------------------

    def received(self, channel: str) -> list[Posted]:
        """The messages in a channel, oldest first (``chat.update`` edits them in place)."""
        return list(self.world.messages.get(channel, []))

    def ephemerals(self, channel: str) -> list[Ephemeral]:
        return list(self.world.ephemerals.get(channel, []))

    def files_in(self, channel: str) -> list[FakeFile]:
        """The files shared in a channel (completed uploads), oldest first."""
        return [f for f in self.world.files.values() if f.channel == channel]

    def home(self, team_id: str, user_id: str) -> FakeView | None:
        return self.world.views.get(self.world.homes.get((team_id, user_id), ""))

    def view(self, view_id: str) -> FakeView:
        return self.world.views[view_id]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        """Wait until ``count`` calls to ``method`` arrived (for listeners Bolt runs after
        ``ack``); woken by each call, never polling, and giving up after 5 s."""
        async with asyncio.timeout(5.0):
            while len(self.calls_to(method)) < count:
                self._called.clear()
                await self._called.wait()
        return self.calls_to(method)

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        incoming = await read_request(request)
        held = self._holds.get(request.match_info["method"])
        if held is not None:
            await held.wait()
        call = Call(
            method=request.match_info["method"],
            http_method=request.method,
            content_type=request.content_type,
            args=incoming.args,
            token=incoming.token,
            team_id=self.world.tokens.get(incoming.token or ""),
            at=self.world.clock(),
        )
        answered: tuple[int, dict[str, Any] | None, dict[str, str]] = (
            (200, Refusal("invalid_json").body(), {})
            if incoming.malformed
            else self._answer(call, incoming.basic)
        )
        status, answer, headers = answered
        call.status, call.response = status, answer
        self.calls.append(call)
        self._called.set()
        return respond(status, answer, headers)

    async def _upload(self, request: web.Request) -> web.Response:
        status = self.world.upload(request.match_info["file_id"], await request.read())
        return web.Response(status=status, text="OK" if status == 200 else "Not Found")

    def _answer(
        self, call: Call, basic: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        failure = self._take_failure(call.method)
        if failure is not None and not failure.deliver:
            return failure.status, failure_body(failure), {}
        answered = self._perform(call, basic)
        if failure is not None:  # it took effect, but the answer is lost
            return failure.status, failure_body(failure), {}
        return answered

    def _perform(
        self, call: Call, basic: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        try:
            if call.method == "oauth.v2.access":
                return 200, self.world.oauth_v2_access(basic, call.args), {}
            team = self._authorised(call)
            wait = self.throttle.retry_after(team.id, call.method, call.args.get("channel"))
            if wait is not None:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
            handler = HANDLERS.get(call.method)
            if handler is None:
                raise Refusal("unknown_method")
            return 200, handler(self.world, team, call.args), {}
        except Refusal as refusal:
            return 200, refusal.body(), {}

    def _take_failure(self, method: str) -> InjectedFailure | None:
        for i, failure in enumerate(self._failures):
            if failure.method in (None, method):
                return self._failures.pop(i)
        return None

    def _authorised(self, call: Call) -> FakeTeam:
        if not call.token:
            raise Refusal("not_authed")
        if call.token in self.world.revoked:
            raise Refusal(self.world.revoked[call.token])
        if call.team_id is None:
            raise Refusal("invalid_auth")
        return self.world.teams[call.team_id]


async def refused(call: Awaitable[Any]) -> SlackApiError:
    """The ``SlackApiError`` a slack-sdk call raised; fails the test if the call succeeded."""
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value
