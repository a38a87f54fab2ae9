"""Two workspaces install Kompis by OAuth; each person is answered with their own
workspace's token, and settings that cannot work are refused in one line."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from bot.domain.clock import FakeClock
from bot.errors import ConfigError
from bot.serve import Service
from bot.settings import load_settings
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.fake_slack_state import FakeTeam
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, post, running, texts
from tests.telegram_support import demo_start, import_demo

STATE = re.compile(r"state=([0-9a-f-]+)")


async def install(service: Service, fake: FakeSlack, team: FakeTeam) -> httpx.Response:
    """What a workspace admin does: open the install page, press Allow, come back."""
    base = f"http://127.0.0.1:{service.port}"
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{base}/slack/install")
        assert page.status_code == 200, page.text
        found = STATE.search(page.text)
        assert found is not None, page.text
        cookie = page.headers["set-cookie"].split(";", 1)[0]
        return await client.get(
            f"{base}/slack/oauth_redirect",
            params={"code": fake.oauth_code(team.id), "state": found.group(1)},
            headers={"Cookie": cookie},
        )


async def test_two_workspaces_each_with_its_own_token(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        troms, norrbotten = fake.add_team("Troms"), fake.add_team("Norrbotten")
        kari = fake.add_user(troms.id, "Kari", email="kari.nordvik@tromso.example.org")
        anna = fake.add_user(norrbotten.id, "Anna", email="anna.lindqvist@kiruna.example.org")
        oauth = {
            "SLACK_BOT_TOKEN": None,
            "SLACK_CLIENT_ID": fake.world.client_id,
            "SLACK_CLIENT_SECRET": fake.world.client_secret,
        }
        signer = SlackSigner(SECRET)
        async with running(
            fake, troms, f"sqlite:///{tmp_path / 'k.db'}", clock, **oauth
        ) as service:
            await import_demo(service)
            for team in (troms, norrbotten):
                done = await install(service, fake, team)
                assert done.status_code == 200, done.text
            (exchange, *_) = fake.calls_to("oauth.v2.access")
            assert exchange.args.get("client_secret") == fake.world.client_secret  # in the form
            kari_dm, anna_dm = (
                fake.dm_channel(troms.id, kari.id),
                fake.dm_channel(norrbotten.id, anna.id),
            )
            await count(fake, kari_dm, 2)  # matched by e-mail when their workspace installed
            await count(fake, anna_dm, 2)
            assert texts(fake, kari_dm)[0].startswith("Velkommen, Kari!")
            assert texts(fake, anna_dm)[0].startswith("Välkommen, Anna!")

            await post(service, signer.event(troms, fake.user_writes(troms.id, kari.id, "status")))
            await post(
                service,
                signer.event(norrbotten, fake.user_writes(norrbotten.id, anna.id, "status")),
            )
            await count(fake, kari_dm, 3)
            await count(fake, anna_dm, 3)
            for call in fake.calls_to("chat.postMessage"):
                team = troms if call.args["channel"] == kari_dm else norrbotten
                assert call.token == team.bot_token and call.team_id == team.id
            async with unit(service.db) as store:
                assert await store.person_for_identity("slack", kari.id, troms.id) is not None
                assert await store.person_for_identity("slack", anna.id, norrbotten.id) is not None


def test_settings_that_cannot_work_are_one_line() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is required"):
        load_settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET=None)
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET is required"):
        load_settings(SLACK_CLIENT_ID="1.2", SLACK_SIGNING_SECRET="s", SLACK_CLIENT_SECRET=None)
