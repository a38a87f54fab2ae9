"""Organiser commands on the database: participants import (whole or nothing) and the
reachability report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.storage.db import Database
from bot.storage.repo import unit

runner = CliRunner()
GOOD = (
    "\ufeffname;email;organisation;role;locale\n"
    "Tove Test;tove.test@alta.example.org;alta;participant;nn\n"
    "Kari Nordvik;kari.nordvik@tromso.example.org;tromso;participant;nb\n"
)
BAD = GOOD + "Lars Feil;lars.feil.example.org;bergen;participant;nb\n"


@pytest.fixture
def db_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    return database_url


async def count_people(url: str) -> int:
    db = Database(url)
    try:
        async with unit(db) as store:
            return len(await store.people_in_cohort("demo"))
    finally:
        await db.dispose()


def test_import_adds_new_people_once(db_env: str, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(GOOD, encoding="utf-8")
    first = runner.invoke(app, ["participants", "import", str(csv), "--cohort", "demo"])
    assert first.exit_code == 0, first.output
    assert "2 added to demo, 0 already there" in first.output
    again = runner.invoke(app, ["participants", "import", str(csv), "--cohort", "demo"])
    assert "0 added to demo, 2 already there" in again.output
    assert asyncio.run(count_people(db_env)) == 2


def test_a_bad_row_means_nothing_is_written(db_env: str, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["participants", "import", str(csv), "--cohort", "demo"])
    assert result.exit_code == 1
    assert f"{csv}: row 4.email: 'lars.feil.example.org' is not an e-mail address" in (
        result.output
    )
    assert f"{csv}: row 4.organisation: 'bergen' is not an organisation of cohort demo" in (
        result.output
    )
    assert "nothing was imported" in result.output
    assert asyncio.run(count_people(db_env)) == 0


def test_unknown_cohort(db_env: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["participants", "import", str(tmp_path / "x.csv"), "--cohort", "oslo"]
    )
    assert result.exit_code == 1 and "unknown cohort 'oslo'" in result.output


def test_reachability_report(db_env: str, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(GOOD, encoding="utf-8")
    runner.invoke(app, ["participants", "import", str(csv), "--cohort", "demo"])
    result = runner.invoke(app, ["report", "reachability", "--cohort", "demo"])
    assert "Everyone in demo with a chat account can be reached." in result.output

    async def block_tove() -> None:
        db = Database(db_env)
        try:
            async with unit(db) as store:
                tove = await store.person_by_email("tove.test@alta.example.org")
                assert tove is not None
                now = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
                await store.link_identity(tove.id, "telegram", "42", "42", now)
                (identity,) = await store.identities(tove.id)
                await store.mark_unreachable(
                    identity.id, "Forbidden: bot was blocked by the user", now
                )
        finally:
            await db.dispose()

    asyncio.run(block_tove())
    result = runner.invoke(app, ["report", "reachability", "--cohort", "demo"])
    assert result.exit_code == 0, result.output
    assert "Tove Test" in result.output and "Alta kommune" in result.output
    assert "bot was blocked" in result.output and "2027-01-11 09:00" in result.output
    assert "Kari" not in result.output
    only_tromso = runner.invoke(
        app, ["report", "reachability", "--cohort", "demo", "--organisation", "tromso"]
    )
    assert "can be reached" in only_tromso.output
