"""`kompis run`: the configured platforms, the planner tick, background delivery and the HTTP
server, composed in one event loop with one start and stop order.

``Service`` is what the command runs and what the scenario tests drive, so both use the same
composition. Stopping (SIGTERM, SIGINT) stops taking updates, lets the send in flight finish,
gives claimed messages back to the queue and returns normally (exit 0): uvicorn's own signal
handlers are switched off, because they would re-raise the signal after shutting down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator

import uvicorn

from bot import heap
from bot.app import Kompis, bot_database
from bot.delivery.ratelimit import default_limits
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock, SystemClock
from bot.errors import ConfigError
from bot.features.menu import menus
from bot.serve_slack import SlackServices
from bot.settings import Settings
from bot.storage.registry import StoredActions
from bot.storage.repo import unit
from bot.transports.base import Transport
from bot.transports.slack import SlackOptions, SlackTransport
from bot.transports.slack_oauth import stores as slack_stores
from bot.transports.telegram import TelegramOptions, TelegramTransport
from bot.web.app import WebApp

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: ``Service`` owns the graceful stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Service:
    def __init__(
        self, settings: Settings, clock: Clock | None = None, catalog: Catalog | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = bot_database(settings)
        self.actions = StoredActions(self.db, self.clock)
        transports: dict[str, Transport] = {}
        self.telegram: TelegramTransport | None = None
        if settings.telegram_token is not None:
            secret = settings.telegram_webhook_secret
            self.telegram = TelegramTransport(
                TelegramOptions(
                    token=settings.telegram_token.get_secret_value(),
                    api_url=settings.telegram_api_url,
                    webhook_url=settings.telegram_webhook_url,
                    webhook_secret=secret.get_secret_value() if secret else None,
                    poll_timeout=settings.telegram_poll_seconds,
                ),
                self.actions,
                default_limits(settings, "telegram"),
            )
            transports["telegram"] = self.telegram
        self.slack = self._slack(settings)
        if self.slack is not None:
            transports["slack"] = self.slack
        self.app = Kompis(settings, self.clock, transports, catalog, db=self.db)
        if self.slack is not None:
            self.slack.hooks = SlackServices(
                self.db,
                self.app.catalog,
                self.app.renderer,
                self.clock,
                self.app.dispatcher.fallback_locale,
            )
        if self.telegram is not None:
            self.telegram.options.commands = menus(
                self.app.renderer.gettext, self.app.dispatcher.fallback_locale
            )
        self.web = WebApp(
            self._outbox_counts,
            {
                name: t.last_success
                for name, t in self.app.transports.items()
                if hasattr(t, "last_success")
            },
            telegram=self.telegram.process if self.telegram and self.telegram.webhook else None,
            telegram_secret=(
                settings.telegram_webhook_secret.get_secret_value()
                if settings.telegram_webhook_secret
                else None
            ),
            slack=self.slack.handle_http if self.slack and not self.slack.socket_mode else None,
            slack_oauth=self.slack is not None and self.slack.workspaces.many,
        )
        self.server = _Server(
            uvicorn.Config(
                self.web.asgi,
                host=settings.http_host,
                port=settings.http_port,
                log_config=None,
                access_log=False,
                lifespan="off",
            )
        )
        self._serving: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None
        self._matching: asyncio.Task[None] | None = None

    def _slack(self, settings: Settings) -> SlackTransport | None:
        """One workspace with a bot token, or many through OAuth (installations in the
        database); Socket Mode with an app-level token, HTTP otherwise."""
        many = settings.slack_bot_token is None and settings.slack_client_id is not None
        if settings.slack_bot_token is None and not many:
            return None
        secret = settings.slack_signing_secret
        app_token = settings.slack_app_token
        client_secret = settings.slack_client_secret
        options = SlackOptions(
            signing_secret=secret.get_secret_value() if secret else "",
            bot_token=settings.slack_bot_token.get_secret_value()
            if settings.slack_bot_token
            else None,
            api_url=settings.slack_api_url,
            app_token=app_token.get_secret_value() if app_token else None,
            client_id=settings.slack_client_id,
            client_secret=client_secret.get_secret_value() if client_secret else None,
        )
        installations, states = (
            slack_stores(settings.slack_client_id, self.db.engine)
            if many and settings.slack_client_id
            else (None, None)
        )
        return SlackTransport(
            options,
            self.actions,
            default_limits(settings, "slack"),
            installations=installations,
            states=states,
            installed_teams=self._installed_slack_teams,
        )

    async def _installed_slack_teams(self) -> list[str]:
        async with unit(self.db) as store:
            return await store.installed_slack_teams()

    async def _match_slack(self) -> None:
        """Link imported people to Slack by e-mail: at start, then at every tick (an import
        runs in another process); a failure is logged and tried again at the next."""
        assert self.slack is not None
        while True:
            try:
                if await self.slack.match_people():
                    self.app.delivery.wake()
            except Exception:
                log.exception("matching people to Slack by e-mail failed")
            await asyncio.sleep(self.settings.tick_seconds)

    async def _outbox_counts(self) -> dict[str, int]:
        async with unit(self.db) as store:
            return await store.outbox_counts()

    async def start(self) -> None:
        """Migrate, open the HTTP server (a webhook must have somewhere to arrive before it
        is set), then start the tick, delivery and the platforms."""
        await self.app.start()
        try:
            await self._listen()
            await self.app.serve()
            if self.slack is not None:
                self._matching = asyncio.create_task(self._match_slack(), name="slack-match")
        except BaseException:
            await self.stop()
            raise
        log.info("Kompis is running: %s", self.describe())

    async def _listen(self) -> None:
        """Bind the port here, so a port in use is one clear error (uvicorn would exit the
        process), then serve on it."""
        host, port = self.settings.http_host, self.settings.http_port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named, not left 0: asyncio turns Nagle off (TCP_NODELAY) only on
        # sockets that say they are TCP, and accepted sockets inherit it. With Nagle on,
        # uvicorn's answer (headers, then body) waited for the client's delayed ACK: about
        # 40 ms on every webhook request.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise ConfigError(
                f"the HTTP server cannot listen on {host}:{port}: {exc.strerror} (is another"
                " process using it? set KOMPIS_HTTP_HOST or KOMPIS_HTTP_PORT)"
            ) from None
        self._socket = sock
        self._serving = asyncio.create_task(self.server.serve([sock]), name="kompis-http")
        while not self.server.started:
            if self._serving.done():
                await self._serving
                raise ConfigError("the HTTP server stopped while starting; see the log above")
            await asyncio.sleep(0.01)

    def describe(self) -> str:
        parts = []
        if self.telegram is not None:
            mode = "webhook" if self.telegram.webhook else "long polling"
            parts.append(f"Telegram @{self.telegram.username} ({mode})")
        if self.slack is not None:
            mode = "Socket Mode" if self.slack.socket_mode else "HTTP /slack/events"
            where = self.slack.team_id or "OAuth, many workspaces"
            parts.append(f"Slack {where} ({mode})")
        parts.append(f"HTTP on {self.settings.http_host}:{self.port}")
        return ", ".join(parts)

    @property
    def port(self) -> int:
        """The bound port (the setting, or the one the system chose for port 0)."""
        if self._socket is not None:
            return int(self._socket.getsockname()[1])
        return self.settings.http_port

    async def stop(self) -> None:
        if self._matching is not None:
            self._matching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._matching
            self._matching = None
        self.server.should_exit = True
        if self._serving is not None:
            with contextlib.suppress(Exception):
                await self._serving
            self._serving = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        await self.app.stop()

    async def run(self, stop: asyncio.Event) -> None:
        await self.start()
        heap.settle()  # startup's objects live as long as the process: out of the GC's walk
        try:
            await stop.wait()
        finally:
            log.info("Kompis is stopping")
            await self.stop()


async def run_until_signalled(settings: Settings) -> None:
    """What `kompis run` does: serve until SIGTERM or SIGINT, then stop gracefully."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot URL
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():  # signals reach only that one
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    await Service(settings).run(stop)
