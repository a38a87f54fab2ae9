"""Which token speaks for which workspace: one ``SLACK_BOT_TOKEN``, or the installations
OAuth stored in Kompis's database (slack-sdk's ``AsyncSQLAlchemyInstallationStore``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

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


class Workspaces:
    def __init__(
        self,
        api_url: str,
        bot_token: str | None = None,
        installations: AsyncSQLAlchemyInstallationStore | None = None,
        installed_teams: Callable[[], Awaitable[list[str]]] | None = None,
    ) -> None:
        self.api_url = api_url
        self.installed_teams = installed_teams
        self.bot_token = bot_token
        self.installations = installations
        self._clients: dict[str, AsyncWebClient] = {}
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
            client = AsyncWebClient(token=token, base_url=self.api_url)
            self._clients[team] = client
        return client

    async def client(self, team: str) -> AsyncWebClient:
        """The client with ``team``'s bot token; unreachable if Kompis is not installed
        there (any more)."""
        if self.installations is None:
            return self.single()
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None or not bot.bot_token:
            raise TransportError(
                f"Slack: workspace {team} has not installed Kompis (workspace gone)",
                retryable=False,
                unreachable=True,
            )
        return self._cached(team, bot.bot_token)

    async def teams(self) -> list[str]:
        """Every workspace Kompis can write to now."""
        if self.installations is None:
            return [self.single_team] if self.single_team else []
        return await self.installed_teams() if self.installed_teams else []

    async def forget(self, team: str) -> None:
        """The workspace removed Kompis: its stored tokens go."""
        self._clients.pop(team, None)
        if self.installations is not None:
            await self.installations.async_delete_installation(enterprise_id=None, team_id=team)
            await self.installations.async_delete_bot(enterprise_id=None, team_id=team)
