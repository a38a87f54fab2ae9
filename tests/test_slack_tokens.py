"""Workspace tokens with OAuth: read from the installation store once per workspace and
process (not on every send), read again after ``TOKEN_SECONDS``, after an install and when
Slack refuses the cached one; a token another process replaced is not taken for an
uninstall. Every call goes over one kept-alive aiohttp session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import create_async_engine

from bot.domain.messages import Address, Rendered
from bot.storage.db import async_url
from bot.transports.base import TransportError
from bot.transports.slack import SlackOptions, SlackTransport
from bot.transports.slack_workspaces import TOKEN_SECONDS
from tests.fake_slack import FakeSlack
from tests.fake_slack_state import FakeTeam

CLIENT_ID = "111.222"


class CountingStore(AsyncSQLAlchemyInstallationStore):
    """The real SQLAlchemy store, counting how often a bot token is looked up."""

    reads = 0

    async def async_find_bot(self, **kwargs: Any) -> Any:
        self.reads += 1
        return await super().async_find_bot(**kwargs)


class NoButtons:
    async def register(self, address: Address, actions: Sequence[str]) -> list[str]:
        assert not actions
        return []

    async def bind(self, address: Address, action_id: str, action: str) -> None:
        raise AssertionError("no polls on Slack")

    async def resolve(self, platform: str, workspace: str, action_id: str, presser: str) -> None:
        return None


def installation(team: FakeTeam, token: str) -> Installation:
    return Installation(
        app_id=team.app_id,
        team_id=team.id,
        team_name=team.name,
        bot_token=token,
        bot_id=team.bot_id,
        bot_user_id=team.bot_user_id,
        bot_scopes=list(team.scopes),
        user_id="UINSTALLER",
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def transport(
    fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[tuple[SlackTransport, CountingStore]]:
    engine = create_async_engine(async_url(f"sqlite:///{tmp_path / 'installs.db'}"))
    store = CountingStore(client_id=CLIENT_ID, engine=engine)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    await store.create_tables()
    options = SlackOptions(
        signing_secret="s", api_url=fake.url, client_id=CLIENT_ID, client_secret="secret"
    )
    slack = SlackTransport(options, NoButtons(), installations=store, states=states)
    try:
        yield slack, store
    finally:
        await slack.close()
        await engine.dispose()


def dm(fake: FakeSlack, team: FakeTeam, name: str) -> Address:
    user = fake.add_user(team.id, name)
    return Address("slack", fake.dm_channel(team.id, user.id), workspace=team.id)


def tokens_used(fake: FakeSlack) -> list[str | None]:
    return [call.token for call in fake.calls_to("chat.postMessage")]


async def test_a_token_is_read_once_per_workspace_not_per_send(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        troms, nordland = fake.add_team("Troms"), fake.add_team("Nordland")
        async with transport(fake, tmp_path) as (slack, store):
            for team in (troms, nordland):
                await store.async_save(installation(team, team.bot_token))
            people = [dm(fake, t, f"Leder {n}") for t in (troms, nordland) for n in range(3)]
            for address in people:
                await slack.send(address, Rendered("Hei"))
            assert store.reads == 2  # was 6: one per send
            assert tokens_used(fake) == [troms.bot_token] * 3 + [nordland.bot_token] * 3
            sessions = {id(slack.workspaces._clients[t.id].session) for t in (troms, nordland)}
            assert len(sessions) == 1  # one kept-alive session for every workspace
            session = slack.workspaces._clients[troms.id].session
        assert session is not None and session.closed


async def test_a_token_is_read_again_after_its_time_and_after_an_install(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        troms = fake.add_team("Troms")
        async with transport(fake, tmp_path) as (slack, store):
            clock = Clock()
            slack.workspaces.monotonic = clock
            await store.async_save(installation(troms, troms.bot_token))
            kari = dm(fake, troms, "Kari")
            await slack.send(kari, Rendered("1"))
            clock.now += TOKEN_SECONDS - 1
            await slack.send(kari, Rendered("2"))
            assert store.reads == 1
            clock.now += 2
            await slack.send(kari, Rendered("3"))
            assert store.reads == 2  # another process's change is seen within TOKEN_SECONDS
            await slack._installed(troms.id)  # this process's OAuth page installed it again
            await slack.send(kari, Rendered("4"))
            assert store.reads == 3


async def test_a_token_another_process_replaced_is_not_taken_for_an_uninstall(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        troms = fake.add_team("Troms")
        async with transport(fake, tmp_path) as (slack, store):
            old = troms.bot_token
            await store.async_save(installation(troms, old))
            kari = dm(fake, troms, "Kari")
            await slack.send(kari, Rendered("1"))  # the old token is cached now
            # Another process installs Kompis again: Slack issues a new token and the old
            # one stops working.
            new = f"{old}-reinstalled"  # built like the fake's own, never a literal
            fake.world.tokens[new] = troms.id
            troms.bot_token = new
            fake.revoke_token(old)
            await store.async_save(installation(troms, new))

            with pytest.raises(TransportError) as refused:
                await slack.send(kari, Rendered("2"))
            assert refused.value.retryable and not refused.value.unreachable
            assert await store.async_find_bot(enterprise_id=None, team_id=troms.id) is not None
            await slack.send(kari, Rendered("2"))  # the retry goes out with the new token
            assert tokens_used(fake)[-1] == new


async def test_a_refused_token_still_in_the_store_means_the_workspace_is_gone(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        troms = fake.add_team("Troms")
        async with transport(fake, tmp_path) as (slack, store):
            await store.async_save(installation(troms, troms.bot_token))
            kari = dm(fake, troms, "Kari")
            await slack.send(kari, Rendered("1"))
            fake.revoke_token(troms.bot_token, "token_revoked")
            with pytest.raises(TransportError) as refused:
                await slack.send(kari, Rendered("2"))
            assert refused.value.unreachable and not refused.value.retryable
            assert await store.async_find_bot(enterprise_id=None, team_id=troms.id) is None
