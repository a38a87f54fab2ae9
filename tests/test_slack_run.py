"""How `kompis run` composes Slack: HTTP or Socket Mode by the settings, and a start that
cannot work stops with one line and no token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.serve import Service
from bot.transports.base import TransportError
from tests.fake_slack import FakeSlack
from tests.helpers import shipped_catalog
from tests.slack_support import running, settings_for


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
