"""The Slack transport: a slack-bolt ``AsyncApp`` inside Kompis's own event loop.

HTTP by default: Slack POSTs signed requests to ``/slack/events`` (``bot.web``), which hands
them to Bolt's Starlette adapter; Bolt checks the signature and its 5-minute window (401
otherwise), acks at once and runs the listener after. With an app-level token, Socket Mode
instead (no public endpoint). Listeners convert payloads with ``slack_convert`` and hand
``Inbound`` events to the app's hook; what cannot wait in the outbox happens here, inline: a
pressed message is updated (``chat.update``) to show which button was pressed.

Sending takes the workspace's bot token; slack-sdk's own rate-limit retries are not used
(they sleep in real time): a 429 goes back to the outbox with its ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientError
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response

from bot.domain.messages import REFUSED, Address, Inbound, Rendered
from bot.transports.base import ActionRegistry, InboundHandler, Limits, TransportError
from bot.transports.slack_convert import (
    ACTION_PREFIX,
    MAX_TEXT,
    PLATFORM,
    WORKSPACE_GONE,
    action_inbound,
    blocks,
    fallback,
    message_inbound,
    pressed_blocks,
    transport_error,
    why,
)
from bot.transports.slack_directory import Directory
from bot.transports.slack_home import SlackHooks, SlackViews
from bot.transports.slack_oauth import oauth_app
from bot.transports.slack_send import Ephemerals, deliver
from bot.transports.slack_views import ANSWER_CALLBACK
from bot.transports.slack_workspaces import Workspaces

log = logging.getLogger(__name__)

#: how long a stop waits for listeners that run after their ack (Bolt's lazy work)
STOP_GRACE_SECONDS = 5.0

COMMAND = "/kompis"


@dataclass
class SlackOptions:
    signing_secret: str
    bot_token: str | None = None  # one workspace; else OAuth with the client id and secret
    api_url: str = "https://slack.com/api/"
    app_token: str | None = None  # Socket Mode when set
    client_id: str | None = None
    client_secret: str | None = None


class SlackTransport:
    """Sends rendered messages and receives events, interactions and commands for one
    workspace's bot token."""

    platform = PLATFORM
    max_text = MAX_TEXT
    polls = False  # a Choice becomes buttons
    buttons = True

    def __init__(
        self,
        options: SlackOptions,
        actions: ActionRegistry,
        limits: Limits | None = None,
        hooks: SlackHooks | None = None,
        installations: AsyncSQLAlchemyInstallationStore | None = None,
        states: AsyncSQLAlchemyOAuthStateStore | None = None,
        installed_teams: Callable[[], Awaitable[list[str]]] | None = None,
    ) -> None:
        self.options = options
        self.actions = actions
        self.limits = limits
        self.hooks = hooks
        self.workspaces = Workspaces(
            options.api_url, options.bot_token, installations, installed_teams
        )
        self.directory = Directory(self.workspaces)
        self.views = SlackViews(self.workspaces, self.directory, actions)
        self.app = (
            oauth_app(options, installations, states, self._installed)
            if installations is not None and states is not None
            else AsyncApp(
                signing_secret=options.signing_secret,
                client=self.workspaces.single(),  # Bolt takes the token from its client
                process_before_response=False,  # ack first, work after (the 3-second rule)
            )
        )
        self.http = AsyncSlackRequestHandler(self.app)
        self._on_inbound: InboundHandler | None = None
        self._last_success: datetime | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._home_seen: set[tuple[str, str]] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self._ephemeral = Ephemerals()
        self._listen()

    @property
    def socket_mode(self) -> bool:
        return self.options.app_token is not None

    @property
    def team_id(self) -> str:
        """The workspace of a single bot token; empty with OAuth (many)."""
        return self.workspaces.single_team

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, on_inbound: InboundHandler) -> None:
        """Check the bot token (``auth.test``), then connect Socket Mode if configured."""
        self._on_inbound = on_inbound
        if not self.workspaces.many:
            try:
                found = await self.workspaces.single().auth_test()
            except (SlackApiError, SlackClientError) as exc:
                raise TransportError(
                    f"Slack did not start: {transport_error(exc)}", retryable=False
                ) from None
            self.workspaces.single_team = str(found.get("team_id", ""))
        if self.socket_mode:
            await self._connect_socket()
        self._ok()

    async def _connect_socket(self) -> None:
        """Socket Mode: the first WebSocket URL is asked for here, so a wrong app token
        stops the start in one line (slack-sdk's own connect retries forever, which is
        right for a dropped connection later)."""
        assert self.options.app_token is not None
        web = AsyncWebClient(base_url=self.options.api_url)
        try:
            opened = await web.apps_connections_open(app_token=self.options.app_token)
        except (SlackApiError, SlackClientError, ClientError, OSError) as exc:
            raise TransportError(
                f"Slack Socket Mode did not connect: {why(exc)}", retryable=False
            ) from None
        self._socket = AsyncSocketModeHandler(self.app, self.options.app_token, web_client=web)
        self._socket.client.wss_uri = str(opened["url"])
        await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        """Stop taking events (Socket Mode disconnects; HTTP requests stop with the server)
        and give the listeners already running after their ``ack`` a moment to finish."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await asyncio.sleep(0)  # a listener Bolt just scheduled after its ack starts first
        running = self._background - {asyncio.current_task()}
        if running:
            await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)

    async def close(self) -> None:
        """After delivery stopped: cancel any listener still running, let go of the hook."""
        for task in list(self._background):
            task.cancel()
        self._on_inbound = None

    def last_success(self) -> datetime | None:
        return self._last_success

    def _ok(self) -> None:
        self._last_success = datetime.now(UTC)

    async def handle_http(self, request: Request) -> Response:
        """A signed request from Slack (events, interactivity, the slash command)."""
        return await self.http.handle(request)

    # -- receiving -------------------------------------------------------------------------

    def _track(self) -> None:
        """Called first in every listener: Bolt runs it in a task of its own after the
        ``ack`` (HTTP and Socket Mode alike), which ``stop`` then waits for."""
        task = asyncio.current_task()
        if task is not None:
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _listen(self) -> None:
        app = self.app
        app.event("message")(self._message)
        app.action(re.compile(f"^{ACTION_PREFIX}"))(self._action)
        app.command(COMMAND)(self._command)
        app.view(ANSWER_CALLBACK)(self._submitted)
        app.event("app_home_opened")(self._home_opened)
        app.event("app_uninstalled")(self._uninstalled)
        app.event("tokens_revoked")(self._revoked)

    async def _hand_on(self, inbound: Inbound) -> None:
        """To Kompis (handled and its replies queued when this returns), then the person's
        Home tab follows the change if they have looked at it."""
        if self._on_inbound is not None:
            await self._on_inbound(inbound)
        if (inbound.workspace, inbound.user_id) in self._home_seen:
            await self._publish_home(inbound.workspace, inbound.user_id, inbound.locale_hint)

    async def _message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._track()
        inbound = message_inbound(event, str(body.get("team_id", "")), body.get("event_id"))
        if inbound is None:
            return
        locale = await self.directory.locale(inbound.workspace, inbound.user_id)
        await self._hand_on(replace(inbound, locale_hint=locale))

    async def _action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        self._track()
        await ack()
        inbound = action_inbound(body)
        if inbound is None:
            return
        if (body.get("container") or {}).get("is_ephemeral"):  # an answer to /kompis
            dm = await self.directory.dm(inbound.workspace, inbound.user_id)
            inbound = replace(inbound, chat_id=dm or inbound.chat_id, message_id=None)
        action = await self.actions.resolve(
            PLATFORM, inbound.workspace, inbound.action or "", inbound.user_id
        )
        locale = await self.directory.locale(inbound.workspace, inbound.user_id)
        if action is None:
            await self._hand_on(replace(inbound, action=None, kind=REFUSED, locale_hint=locale))
            return
        if action.partition(":")[0] == "reflect" and body.get("trigger_id") and self.hooks:
            await self.views.open_answer(self.hooks, body["trigger_id"], inbound, action, locale)
        shown = pressed_blocks(body)
        if shown is not None and inbound.message_id:
            try:
                client = await self.workspaces.client(inbound.workspace)
                await client.chat_update(
                    channel=inbound.chat_id, ts=inbound.message_id, text=shown[0], blocks=shown[1]
                )
                self._ok()
            except (SlackApiError, SlackClientError, TransportError) as exc:  # it still counts
                log.warning("Slack chat.update of a pressed message: %s", why(exc))
        await self._hand_on(replace(inbound, action=action, locale_hint=locale))

    async def _submitted(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """An answer modal: counts as a reply in the person's DM."""
        self._track()
        await ack()
        inbound = await self.views.submitted(body, view)
        if inbound is not None:
            await self._hand_on(inbound)
            share = self.views.shared(inbound, view)
            if share is not None:  # after the answer is saved: who may read it
                await self._hand_on(share)

    async def _home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._track()
        if event.get("tab") != "home":
            return
        team, user = str(body.get("team_id", "")), str(event.get("user", ""))
        self._home_seen.add((team, user))
        await self._publish_home(team, user, await self.directory.locale(team, user))

    async def _publish_home(self, team: str, user: str, locale: str | None) -> None:
        if self.hooks is not None and await self.views.publish_home(self.hooks, team, user, locale):
            self._ok()

    async def _command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """``/kompis status`` and the rest: the same words as in a DM. Typed in the DM, the
        answer is a DM message; typed in a channel, it is ephemeral there (only the person
        sees it), so nothing of theirs shows in a shared channel."""
        self._track()
        await ack()
        user, team = str(body.get("user_id", "")), str(body.get("team_id", ""))
        channel = await self.directory.dm(team, user)
        if channel is None:
            return
        self._ephemeral.answer_in(team, channel, str(body.get("channel_id", "")), user)
        inbound = Inbound(
            PLATFORM,
            user,
            channel,
            text=str(body.get("text", "")).strip() or "help",
            event_id=f"command:{body.get('trigger_id') or body.get('response_url', '')}",
            workspace=team,
            locale_hint=await self.directory.locale(team, user),
        )
        await self._hand_on(inbound)

    async def _uninstalled(self, body: dict[str, Any]) -> None:
        self._track()
        await self._gone(str(body.get("team_id", "")), "app_uninstalled")

    async def _revoked(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._track()
        if (event.get("tokens") or {}).get("bot"):
            await self._gone(str(body.get("team_id", "")), "tokens_revoked")

    async def _gone(self, team_id: str, reason: str) -> None:
        log.warning("Slack workspace %s is gone: %s", team_id, reason)
        await self.workspaces.forget(team_id)
        if self.hooks is not None:
            await self.hooks.workspace_gone(team_id, f"Slack: {reason} (workspace gone)")

    async def match_people(self) -> int:
        """Link people to their Slack accounts by e-mail in every workspace (at start, at
        every tick, and when a workspace installs Kompis)."""
        linked = 0
        for team in await self.workspaces.teams():
            linked += await self._match(team)
        return linked

    async def _match(self, team: str) -> int:
        if self.hooks is None:
            return 0

        async def lookup(email: str) -> tuple[str, str, str | None] | None:
            return await self.directory.by_email(team, email)

        return await self.hooks.match_by_email(team, lookup)

    async def _installed(self, team: str) -> None:
        """OAuth finished for ``team``: match its people now, off the request path."""
        task = asyncio.create_task(self._match(team), name=f"slack-match-{team}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- sending ---------------------------------------------------------------------------

    async def send(self, address: Address, message: Rendered) -> str:
        """One part: an update of an earlier message, or a new one (in a thread when it
        answers one); a file goes up first, in the same channel and thread. Returns the
        ``ts`` of the message that now shows it."""
        client = await self.workspaces.client(address.workspace)
        ids = await self.actions.register(address, [b.action for b in message.buttons])
        text, shown = fallback(message), blocks(message, ids)
        try:
            found = await deliver(
                client, address, message, text, shown, self._ephemeral.target(address)
            )
        except (SlackApiError, SlackClientError, ClientError, TimeoutError) as exc:
            error = transport_error(exc)
            code = exc.response.get("error") if isinstance(exc, SlackApiError) else None
            if code in WORKSPACE_GONE:
                await self._gone(address.workspace, str(code))
            raise error from exc
        self._ok()
        return found
