"""`kompis run` as a process: SIGTERM in the middle of a broadcast stops it gracefully (exit 0,
claims released), and a restart delivers the rest: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Kompis
from bot.domain.clock import SystemClock
from bot.domain.messages import Outgoing
from bot.domain.people import Role
from bot.settings import Settings
from bot.storage.repo import unit
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.helpers import ROOT, shipped_catalog

PEOPLE = 150


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(url: str) -> None:
    """People on Telegram and a broadcast to all of them, queued before the bot starts."""
    app = Kompis(Settings(database_url=url), SystemClock(), {}, shipped_catalog())
    await app.start()
    now = datetime.now(UTC)
    async with unit(app.db) as store:
        for n in range(PEOPLE):
            person = await store.add_person(
                name=f"Leader {n}",
                cohort_id="demo",
                organisation="tromso",
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email=f"leader{n}@tromso.example.org",
                locale="nb",
            )
            await store.link_identity(person, "telegram", str(20_000 + n), str(20_000 + n), now)
            await store.enqueue([Outgoing(person, "help", {"name": "Leader"}, key=f"b:{n}")], now)
    await app.stop()


async def start_kompis(fake: FakeTelegram, url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "KOMPIS_DATABASE_URL": url,
        "KOMPIS_TELEGRAM_TOKEN": TOKEN,
        "KOMPIS_TELEGRAM_API_URL": fake.api_url,
        "KOMPIS_TELEGRAM_POLL_SECONDS": "0.5",
        "KOMPIS_TELEGRAM_PER_SECOND": "50",
        "KOMPIS_HTTP_PORT": str(free_port()),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )


async def wait_until(condition: object, within: float) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def delivered(fake: FakeTelegram) -> int:
    return sum(len(m) for m in fake.messages.values())


@pytest.mark.slow
async def test_sigterm_mid_broadcast_then_restart_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    await prepare(url)
    async with FakeTelegram(per_second=50) as fake:
        process = await start_kompis(fake, url)
        await wait_until(lambda: delivered(fake) >= 20, within=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
        log = stderr.decode()
        assert process.returncode == 0, log
        assert "Kompis is running: Telegram @KompisTestBot (long polling), HTTP on" in log
        assert TOKEN not in log and TOKEN.split(":")[1] not in log
        first_run = delivered(fake)
        assert 20 <= first_run < PEOPLE  # stopped in the middle

        app = Kompis(Settings(database_url=url), SystemClock(), {}, shipped_catalog())
        await app.start(lock=False)
        async with unit(app.db) as store:
            counts = await store.outbox_counts()
        await app.stop()
        assert "sending" not in counts  # every claim was given back
        assert counts["sent"] == first_run

        process = await start_kompis(fake, url)
        await wait_until(lambda: delivered(fake) >= PEOPLE, within=30)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode == 0
        assert sorted(fake.messages) == list(range(20_000, 20_000 + PEOPLE))
        assert all(len(m) == 1 for m in fake.messages.values())  # nothing twice


async def test_a_rejected_token_stops_run_with_one_line_and_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app as cli

    wrong = "987654321:" + "AA" + "WrongTokenWrongTokenWrongToken_xyz"  # not a literal token
    async with FakeTelegram() as fake:
        monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
        monkeypatch.setenv("KOMPIS_TELEGRAM_TOKEN", wrong)
        monkeypatch.setenv("KOMPIS_TELEGRAM_API_URL", fake.api_url)
        monkeypatch.setenv("KOMPIS_HTTP_PORT", str(free_port()))
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["run"])
    assert result.exit_code == 1, result.output
    assert "Telegram did not start: InvalidToken" in result.output
    assert wrong not in result.output and wrong.split(":")[1] not in result.output
    assert "Traceback" not in result.output
