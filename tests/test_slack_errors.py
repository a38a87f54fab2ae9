"""Slack's refusals as Kompis sees them: 429s honoured without losing anything, 5xx and
network failures retried, a person or a whole workspace gone marked unreachable."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.clock import FakeClock
from bot.serve import Service
from bot.storage.repo import unit
from bot.transports.slack_convert import transport_error
from tests.fake_slack import FakeSlack, refused
from tests.fake_slack_limits import Limit
from tests.helpers import ROOT
from tests.slack_signing import SlackSigner, app_uninstalled, tokens_revoked
from tests.slack_support import SECRET, from_kompis, post, running
from tests.telegram_support import advance, demo_start, import_demo, settle

DEMO = ROOT / "schedules" / "demo.participants.csv"


def demo_people(fake: FakeSlack, team_id: str) -> list[str]:
    """Every person of the demo cohort in the workspace, by e-mail; their user ids."""
    rows = [line.split(";") for line in DEMO.read_text().splitlines()[1:]]
    return [fake.add_user(team_id, row[0], email=row[1]).id for row in rows]


async def test_errors_map_to_what_the_outbox_does() -> None:
    async with FakeSlack() as fake:
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari")
        client = fake.client(team.id)
        fake.set_rate_limits(channel=Limit(1, 60.0))
        await client.chat_postMessage(channel=kari.id, text="1")
        limited = transport_error(await refused(client.chat_postMessage(channel=kari.id, text="2")))
        assert limited.retryable and limited.retry_after and limited.retry_after >= 1
        fake.set_rate_limits(channel=None)
        fake.fail_next(502, html=True)
        assert transport_error(
            await refused(client.chat_postMessage(channel=kari.id, text="x"))
        ).retryable
        nobody = transport_error(await refused(client.chat_postMessage(channel="D404", text="x")))
        assert nobody.unreachable and "channel_not_found" in str(nobody)
        fake.revoke_token(team.bot_token, "token_revoked")
        gone = transport_error(await refused(client.chat_postMessage(channel=kari.id, text="x")))
        assert gone.unreachable and "workspace gone" in str(gone)
        offline = AsyncWebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/")
        down = transport_error(await refused_network(offline))
        assert down.retryable and not down.unreachable


async def refused_network(client: AsyncWebClient) -> Exception:
    try:
        await client.auth_test()
    except Exception as exc:  # what slack-sdk raises for a refused connection
        return exc
    raise AssertionError("the call succeeded")


async def test_a_429_storm_loses_nothing(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        team = fake.add_team("Nordkalotten")
        # Slack allows 3 posts a second in this workspace; Kompis is told it may do 100
        fake.set_rate_limits(channel=None, workspace=Limit(3, 1.0))
        users = demo_people(fake, team.id)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            assert service.slack is not None
            await service.slack.match_people()  # with the start's own pass: everyone linked
            deadline = asyncio.get_running_loop().time() + 30
            while True:
                posted = [from_kompis(fake, fake.dm_channel(team.id, u)) for u in users]
                if all(len(p) == 2 for p in posted):
                    break
                assert asyncio.get_running_loop().time() < deadline, [len(p) for p in posted]
                clock.advance(timedelta(seconds=30))  # retries fall due in Kompis's time
                service.app.delivery.wake()
                await asyncio.sleep(0.2)
            async with unit(service.db) as store:
                counts = await store.outbox_counts()
            assert counts == {"sent": 2 * len(users)}, counts
            assert sum(1 for c in fake.calls_to("chat.postMessage") if c.status == 429) > 0
            assert all(len(p) == 2 for p in posted)  # each message once, none twice


async def reasons(service: Service) -> set[str]:
    async with unit(service.db) as store:
        return {u.reason for u in await store.unreachable_people("demo")}


async def until_reasons(service: Service, wanted: set[str]) -> None:
    """Wait (bounded) for a listener Bolt runs after its ack to have stored ``wanted``."""
    deadline = asyncio.get_running_loop().time() + 5
    while await reasons(service) != wanted:
        assert asyncio.get_running_loop().time() < deadline, await reasons(service)
        await asyncio.sleep(0.02)


async def test_an_uninstalled_workspace_is_unreachable(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Troms")
        demo_people(fake, team.id)
        signer = SlackSigner(SECRET)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}") as service:
            await import_demo(service)
            assert service.slack is not None
            await service.slack.match_people()
            # the welcomes out first: one sent after the uninstall would find the workspace
            # gone first (account_inactive), and the first cause is the one kept
            await settle(service)
            # only a user's token revoked: Kompis's bot token still works
            answer = await post(service, signer.event(team, tokens_revoked([], ["U0SOMEONE"])))
            assert answer.status_code == 200
            fake.uninstall(team.id)
            answer = await post(service, signer.event(team, app_uninstalled()))
            assert answer.status_code == 200
            await until_reasons(service, {"Slack: app_uninstalled (workspace gone)"})
            async with unit(service.db) as store:
                assert len(await store.unreachable_people("demo")) == 6


async def test_a_revoked_token_found_when_sending(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Troms")
        demo_people(fake, team.id)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            assert service.slack is not None
            await service.slack.match_people()
            await settle(service)
            fake.revoke_token(team.bot_token, "token_revoked")
            await advance(service, clock, timedelta(days=1))  # the stage opens for everyone
            await until_reasons(service, {"Slack: token_revoked (workspace gone)"})
            async with unit(service.db) as store:
                counts = await store.outbox_counts()
            assert "pending" not in counts and counts.get("failed", 0) >= 1, counts
