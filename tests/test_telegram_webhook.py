"""Webhook mode and the HTTP server: Telegram's secret token checked before anything else."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import aiohttp

from tests.fake_telegram import FakeTelegram
from tests.telegram_support import running

SECRET = "s3cret_Token-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with (
        FakeTelegram(per_second=300) as fake,
        running(
            fake,
            f"sqlite:///{tmp_path / 'k.db'}",
            http_port=port,
            telegram_webhook_url=f"{base}/telegram/webhook",
            telegram_webhook_secret=SECRET,
        ),
    ):
        set_hook = [p for m, p in fake.calls if m == "setWebhook"]
        assert set_hook and set_hook[0]["secret_token"] == SECRET
        assert fake.webhook_url == f"{base}/telegram/webhook"
        assert not any(m == "getUpdates" for m, _ in fake.calls)  # no polling

        await fake.write(5001, "hei", language="nb")  # POSTed with the right secret
        assert "Jeg kjenner deg ikke ennå" in (await fake.wait_for(5001, 1))[0]

        update = {
            "update_id": 99,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5002, "type": "private"},
                "from": {"id": 5002, "is_bot": False, "first_name": "Eve"},
                "text": "hei",
            },
        }
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(
                    f"{base}/telegram/webhook", data=json.dumps(update), headers=headers
                ) as response:
                    assert response.status == 403
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200
                health = await response.json()
                assert health["database"] == "ok" and health["telegram"] != "no success yet"
            async with http.get(f"{base}/metrics") as response:
                assert response.status == 200
                assert "kompis_outbox_rows" in await response.text()
        await fake.write(5003, "hei", language="nb")  # updates are handled in order
        await fake.wait_for(5003, 1)
        assert 5002 not in fake.messages  # the refused requests were not processed


async def test_healthz_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
        aiohttp.ClientSession() as http,
    ):
        await service.db.engine.dispose()
        (tmp_path / "k.db").unlink()
        (tmp_path / "k.db").mkdir()  # the database file is now unusable
        async with http.get(f"http://127.0.0.1:{service.port}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["database"].startswith("unreachable")
        (tmp_path / "k.db").rmdir()
