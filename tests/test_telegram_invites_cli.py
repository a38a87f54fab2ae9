"""`kompis participants import`, `kompis invites` and `invites revoke` beside a running bot."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.telegram_support import DEMO_CSV, running

runner = CliRunner()


async def kompis(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(runner.invoke, app, list(args))
    return result.exit_code, result.output


async def test_invite_a_cohort_while_the_bot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    async with FakeTelegram(per_second=300) as fake, running(fake, url):
        monkeypatch.setenv("KOMPIS_DATABASE_URL", url)
        monkeypatch.setenv("KOMPIS_TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("KOMPIS_TELEGRAM_API_URL", fake.api_url)
        code, output = await kompis("participants", "import", str(DEMO_CSV), "--cohort", "demo")
        assert code == 0, output
        out = tmp_path / "invites.csv"
        code, output = await kompis("invites", "--cohort", "demo", "--csv", str(out))
        assert code == 0, output
        assert "invitation(s) for demo" in output
        with out.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert rows and {"email", "name", "organisation", "telegram_link", "join_code"} <= set(
            rows[0]
        )
        kari = next(r for r in rows if r["email"] == "kari.nordvik@tromso.example.org")
        assert kari["organisation"] == "Tromsø kommune"
        token = kari["telegram_link"].removeprefix("https://t.me/KompisTestBot?start=")
        assert TOKEN not in output and token not in output  # links only in the file

        code, output = await kompis("invites", "revoke", "--person", kari["email"])
        assert code == 0 and "1 unused invitation(s)" in output, output
        await fake.write(7001, f"/start {token}", language="nb")
        (refused,) = await fake.wait_for(7001, 1)
        assert "kjenner ikke igjen denne invitasjonen" in refused

        code, output = await kompis("invites", "revoke", "--person", "nobody@example.org")
        assert code == 1 and "no person with the e-mail" in output


def test_invites_need_the_bot_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.delenv("KOMPIS_TELEGRAM_TOKEN", raising=False)
    result = runner.invoke(app, ["invites", "--cohort", "demo"])
    assert result.exit_code == 2 and "set KOMPIS_TELEGRAM_TOKEN" in result.output
