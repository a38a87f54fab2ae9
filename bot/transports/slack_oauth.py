"""Many workspaces through OAuth: Bolt's install page (``/slack/install``) and redirect
(``/slack/oauth_redirect``), with installations and one-time states in Kompis's database
(slack-sdk's SQLAlchemy stores; the tables come from migration 0009)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.transports.slack_workspaces import FormAuthClient

if TYPE_CHECKING:
    from bot.transports.slack import SlackOptions

#: exactly the bot scopes Kompis uses (the manifest lists the same)
SCOPES = (
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
STATE_SECONDS = 600


def stores(  # ``engine``: the database's SQLAlchemy AsyncEngine (storage owns its type)
    client_id: str, engine: Any
) -> tuple[AsyncSQLAlchemyInstallationStore, AsyncSQLAlchemyOAuthStateStore]:
    return (
        AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine),
        AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine),
    )


def oauth_app(
    options: SlackOptions,
    installations: AsyncSQLAlchemyInstallationStore,
    states: AsyncSQLAlchemyOAuthStateStore,
    installed: Callable[[str], Awaitable[None]],
) -> AsyncApp:
    """A Bolt app that finds each workspace's token in ``installations``; ``installed``
    hears of each workspace that finished installing."""

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        if args.installation.team_id:
            await installed(args.installation.team_id)
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    assert options.client_id and options.client_secret
    return AsyncApp(
        signing_secret=options.signing_secret,
        client=FormAuthClient(base_url=options.api_url),
        installation_store=installations,
        process_before_response=False,
        oauth_settings=AsyncOAuthSettings(
            client_id=options.client_id,
            client_secret=options.client_secret,
            scopes=list(SCOPES),
            installation_store=installations,
            state_store=states,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            callback_options=AsyncCallbackOptions(success=success, failure=failure),
        ),
    )
