"""How `kompis run` composes Slack: HTTP or Socket Mode by the settings, and a start that
cannot work stops with one line and no token."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.domain.clock import FakeClock
from bot.serve import Service
from bot.storage.repo import unit
from bot.transports.base import TransportError
from tests.fake_slack import FakeSlack
from tests.helpers import shipped_catalog
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, join_codes, post, running, settings_for
from tests.telegram_support import demo_start, import_demo


async def test_http_mode_serves_slack_events_and_reports_health(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        team = fake.add_team("Troms")
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}") as service:
            assert service.slack is not None and not service.slack.socket_mode
            assert service.slack.team_id == team.id
            assert f"Slack {team.id} (HTTP /slack/events)" in service.describe()
            async with httpx.AsyncClient() as client:
                base = f"http://127.0.0.1:{service.port}"
                health = (await client.get(f"{base}/healthz")).json()
                unsigned = await client.post(f"{base}/slack/events", content=b"{}")
                install = await client.get(f"{base}/slack/install")
            assert health["slack"] != "no success yet"
            assert unsigned.status_code == 401
            assert install.status_code in (404, 405)  # no OAuth with a single bot token


async def test_socket_mode_is_chosen_with_an_app_token(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        team = fake.add_team("Troms")
        settings = settings_for(
            fake, team, f"sqlite:///{tmp_path / 'k.db'}", SLACK_APP_TOKEN="xapp-1-A0-fake"
        )
        service = Service(settings, catalog=shipped_catalog())
        assert service.slack is not None and service.slack.socket_mode
        assert not any(
            getattr(route, "path", "") == "/slack/events" for route in service.web.asgi.routes
        )
        # the fake has no Socket Mode: the connection is asked for with the app token, and
        # its refusal stops the start in one line
        with pytest.raises(TransportError, match="Socket Mode did not connect") as caught:
            await service.start()
        (opened,) = fake.calls_to("apps.connections.open")
        assert opened.token == "xapp-1-A0-fake"
        assert "xapp" not in str(caught.value)


async def test_a_revoked_bot_token_stops_the_start(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        team = fake.add_team("Troms")
        fake.revoke_token(team.bot_token)
        service = Service(
            settings_for(fake, team, f"sqlite:///{tmp_path / 'k.db'}"), catalog=shipped_catalog()
        )
        with pytest.raises(
            TransportError, match="Slack did not start: Slack: invalid_auth"
        ) as caught:
            await service.start()
        assert team.bot_token not in str(caught.value)


async def test_an_event_acked_just_before_stop_is_still_handled(tmp_path: Path) -> None:
    """HTTP mode: Slack has its 200 (Bolt acked), the listener is still at work when the
    service stops; the stop waits for it, so the join it carries is stored."""
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        team = fake.add_team("Troms")
        kari = fake.add_user(team.id, "Kari", locale="nb-NO")
        settings = settings_for(fake, team, f"sqlite:///{tmp_path / 'k.db'}")
        service = Service(settings, clock, shipped_catalog())
        slow = fake.hold("users.info")  # the listener asks for Kari's locale first
        await service.start()
        try:
            await import_demo(service)
            codes = await join_codes(service, clock)
            join = f"join {codes['kari.nordvik@tromso.example.org']}"
            event = SlackSigner(SECRET).event(team, fake.user_writes(team.id, kari.id, join))
            assert (await post(service, event)).status_code == 200
        finally:
            # Slack answers a second into the stop (the old stop was long done by then)
            asyncio.get_running_loop().call_later(1.0, slow.set)
            await service.stop()
        async with unit(service.db) as store:
            assert await store.person_for_identity("slack", kari.id, team.id) is not None
        await service.db.dispose()
