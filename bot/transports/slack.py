"""The Slack transport: a slack-bolt ``AsyncApp`` inside Kompis's own event loop.

HTTP by default: Slack POSTs signed requests to ``/slack/events`` (``bot.web``), which hands
them to Bolt's Starlette adapter; Bolt checks the signature and its 5-minute window (401
otherwise), acks at once and runs the listener after. With an app-level token, Socket Mode
instead (no public endpoint). Listeners convert payloads with ``slack_convert`` and hand
``Inbound`` events to the app's hook; what cannot wait in the outbox happens here, inline: a
pressed message is updated (``chat.update``) to show which button was pressed.

Listening is ``slack_listeners``. Sending takes the workspace's bot token (``slack_workspaces``:
cached per process, one client per workspace over one kept-alive session); slack-sdk's own
rate-limit retries are not used (they sleep in real time): a 429 goes back to the outbox with
its ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientError
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response

from bot.domain.messages import Address, Rendered
from bot.transports.base import ActionRegistry, InboundHandler, Limits, TransportError
from bot.transports.slack_convert import (
    MAX_TEXT,
    PLATFORM,
    WORKSPACE_GONE,
    blocks,
    fallback,
    transport_error,
    why,
)
from bot.transports.slack_directory import Directory
from bot.transports.slack_home import SlackHooks, SlackViews
from bot.transports.slack_listeners import Listeners
from bot.transports.slack_oauth import oauth_app
from bot.transports.slack_send import Ephemerals, deliver
from bot.transports.slack_workspaces import Workspaces

log = logging.getLogger(__name__)

#: how long a stop waits for listeners that run after their ack (Bolt's lazy work)
STOP_GRACE_SECONDS = 5.0


@dataclass
class SlackOptions:
    signing_secret: str
    bot_token: str | None = None  # one workspace; else OAuth with the client id and secret
    api_url: str = "https://slack.com/api/"
    app_token: str | None = None  # Socket Mode when set
    client_id: str | None = None
    client_secret: str | None = None


class SlackTransport(Listeners):
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
        self._matching: dict[str, asyncio.Lock] = {}
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
        await self.workspaces.close()

    def last_success(self) -> datetime | None:
        return self._last_success

    def _ok(self) -> None:
        self._last_success = datetime.now(UTC)

    async def handle_http(self, request: Request) -> Response:
        """A signed request from Slack (events, interactivity, the slash command)."""
        return await self.http.handle(request)

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
                if await self.workspaces.replaced(address.workspace, client.token):
                    raise TransportError(  # installed again since this process read it
                        f"Slack: {code} for a token since replaced; sending again",
                        retryable=True,
                        retry_after=1.0,
                    ) from exc
                await self._gone(address.workspace, str(code))
            raise error from exc
        self._ok()
        return found
