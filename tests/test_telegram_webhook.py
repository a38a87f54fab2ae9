"""Webhook mode and the HTTP server: Telegram's secret token checked before anything else."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.errors import ConfigError
from bot.serve import Service
from bot.storage.single import acquire_single_process
from tests.fake_telegram import FakeTelegram
from tests.helpers import shipped_catalog
from tests.telegram_support import running, settings_for

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


async def test_healthz_follows_telegram_going_down_and_back(tmp_path: Path) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
        aiohttp.ClientSession() as http,
    ):
        url = f"http://127.0.0.1:{service.port}/healthz"

        async def status() -> int:
            async with http.get(url) as response:
                return response.status

        assert await status() == 200
        fake.down = True
        for _ in range(300):
            if await status() == 503:
                break
            await asyncio.sleep(0.02)
        assert await status() == 503
        fake.down = False
        for _ in range(500):  # PTB's polling backs off after errors; it comes back
            if await status() == 200:
                break
            await asyncio.sleep(0.02)
        assert await status() == 200


async def test_a_port_in_use_is_one_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeTelegram() as fake:
            service = Service(settings_for(fake, url, http_port=port), None, shipped_catalog())
            with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
                await service.start()
            assert not any(m == "getUpdates" for m, _ in fake.calls)  # Telegram never started
    lock = acquire_single_process(url)  # nothing left holding the database
    assert lock is not None
    lock.release()


async def test_answers_are_not_held_back_by_nagle(tmp_path: Path) -> None:
    """The server's sockets send at once (TCP_NODELAY): with Nagle's algorithm on, every
    answer (headers, then body) waited for the client's delayed ACK, about 40 ms a request,
    which capped a webhook at about 25 updates a second per connection."""
    port = free_port()
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}", http_port=port) as service,
        aiohttp.ClientSession() as http,
    ):
        took = []
        for _ in range(21):  # one kept-alive connection, as Telegram's would be
            started = asyncio.get_running_loop().time()
            async with http.get(f"http://127.0.0.1:{port}/nowhere") as response:
                assert response.status == 404
                await response.read()
            took.append(asyncio.get_running_loop().time() - started)
        connections = service.server.server_state.connections
        assert connections
        for protocol in connections:
            sock = protocol.transport.get_extra_info("socket")  # type: ignore[attr-defined]
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        # the delayed ACK is at least 40 ms on Linux; an answer here takes a few
        assert sorted(took)[10] < 0.035
