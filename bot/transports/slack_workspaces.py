"""Which token speaks for which workspace: one ``SLACK_BOT_TOKEN``, or the installations
OAuth stored in Kompis's database (slack-sdk's ``AsyncSQLAlchemyInstallationStore``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.transports.base import TransportError


class FormAuthClient(AsyncWebClient):
    """slack-sdk's ``oauth_v2_access`` authenticates with aiohttp's deprecated ``BasicAuth``;
    Slack accepts the client id and secret in the form body as well, which warns about
    nothing."""

    async def oauth_v2_access(
        self,
        *,
        client_id: str,
        client_secret: str,
        code: str | None = None,
        redirect_uri: str | None = None,
        **kwargs: Any,
    ) -> Any:
        data = {"client_id": client_id, "client_secret": client_secret, **kwargs}
        if code is not None:
            data["code"] = code
        if redirect_uri is not None:
            data["redirect_uri"] = redirect_uri
        return await self.api_call("oauth.v2.access", data=data)


#: How long a workspace's bot token is used without reading its installation again. The
#: cache is per process; this process's own changes (an install through its OAuth page, an
#: uninstall it hears of) take effect at once, another process's within this many seconds,
#: and a token Slack refuses as invalid is read again at once (``replaced``).
TOKEN_SECONDS = 60.0

#: One aiohttp session for every call of the transport (kept-alive connections instead of a
#: new session, connection and TLS handshake per call, slack-sdk's default), with slack-sdk's
#: own per-call timeout.
CALL_TIMEOUT_SECONDS = 30


class Workspaces:
    def __init__(
        self,
        api_url: str,
        bot_token: str | None = None,
        installations: AsyncSQLAlchemyInstallationStore | None = None,
        installed_teams: Callable[[], Awaitable[list[str]]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url
        self.installed_teams = installed_teams
        self.bot_token = bot_token
        self.installations = installations
        self.monotonic = monotonic
        self._clients: dict[str, AsyncWebClient] = {}
        #: team -> (bot token, monotonic time it was read from the installation store)
        self._tokens: dict[str, tuple[str, float]] = {}
        self._session: aiohttp.ClientSession | None = None
        #: the one workspace of a single bot token (``auth.test`` at start)
        self.single_team = ""

    @property
    def many(self) -> bool:
        return self.installations is not None

    def single(self) -> AsyncWebClient:
        assert self.bot_token is not None
        return self._cached("", self.bot_token)

    def _cached(self, team: str, token: str) -> AsyncWebClient:
        client = self._clients.get(team)
        if client is None or client.token != token:
            client = AsyncWebClient(token=token, base_url=self.api_url, session=self._session)
            self._clients[team] = client
        return client

    def _shared_session(self) -> aiohttp.ClientSession:
        """The transport's session, opened on first use (inside the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT_SECONDS)
            )
        return self._session

    async def client(self, team: str) -> AsyncWebClient:
        """The client with ``team``'s bot token; unreachable if Kompis is not installed
        there (any more)."""
        client = self._cached(team, await self.token(team)) if self.many else self.single()
        client.session = self._shared_session()
        return client

    async def token(self, team: str) -> str:
        """``team``'s bot token, from the cache while it is fresh, else from the store."""
        cached = self._tokens.get(team)
        if cached is not None and self.monotonic() - cached[1] < TOKEN_SECONDS:
            return cached[0]
        return await self._read(team)

    async def _read(self, team: str) -> str:
        assert self.installations is not None
        self._tokens.pop(team, None)
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None or not bot.bot_token:
            raise TransportError(
                f"Slack: workspace {team} has not installed Kompis (workspace gone)",
                retryable=False,
                unreachable=True,
            )
        self._tokens[team] = (bot.bot_token, self.monotonic())
        return bot.bot_token

    async def replaced(self, team: str, refused: str | None) -> bool:
        """Slack refused ``refused`` as ``team``'s token: True if the installation store
        holds another one now (Kompis was installed again, perhaps by another process,
        after this one cached the old token), so the workspace is not gone."""
        if not self.many:
            return False
        try:
            return await self._read(team) != refused
        except TransportError:
            return False

    def invalidate(self, team: str) -> None:
        """``team`` installed Kompis (again): read its token from the store next time."""
        self._tokens.pop(team, None)

    async def teams(self) -> list[str]:
        """Every workspace Kompis can write to now."""
        if self.installations is None:
            return [self.single_team] if self.single_team else []
        return await self.installed_teams() if self.installed_teams else []

    async def forget(self, team: str) -> None:
        """The workspace removed Kompis: its stored tokens go."""
        self._clients.pop(team, None)
        self._tokens.pop(team, None)
        if self.installations is not None:
            await self.installations.async_delete_installation(enterprise_id=None, team_id=team)
            await self.installations.async_delete_bot(enterprise_id=None, team_id=team)

    async def close(self) -> None:
        """Close the shared session (the transport is done)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
