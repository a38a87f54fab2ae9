"""`kompis outbox status|retry` on a real database file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col
from typer.testing import CliRunner

from bot.cli import app
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from tests.delivery_helpers import broadcast

runner = CliRunner()


async def _prepare(url: str) -> None:
    db = Database(url)
    await db.upgrade()
    async with unit(db) as store:
        now = await store.database_now()
        await store.enqueue(broadcast(4), now)
        await store.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.id).in_([1, 2]))
            .values(status="dead", last_error="502 Bad Gateway", failing_since=now, attempts=9)
        )
        await store.session.exec(
            update(OutboxRow).where(col(OutboxRow.id) == 3).values(status="sent")
        )
    await db.dispose()


@pytest.fixture
def outbox_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    asyncio.run(_prepare(url))
    monkeypatch.setenv("KOMPIS_DATABASE_URL", url)
    return url


def test_status_counts_and_names_the_dead_with_the_reason(outbox_db: str) -> None:
    result = runner.invoke(app, ["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert "pending: 1, sending: 0, sent: 1, failed: 0, skipped: 0, dead: 2" in result.output
    assert result.output.count("502 Bad Gateway") == 2
    assert "kompis outbox retry" in result.output


def test_retry_puts_dead_rows_back(outbox_db: str) -> None:
    result = runner.invoke(app, ["outbox", "retry", "--id", "1"])
    assert result.exit_code == 0, result.output
    assert "1 dead message queued again" in result.output
    result = runner.invoke(app, ["outbox", "retry", "--all"])
    assert "1 dead message queued again" in result.output
    status = runner.invoke(app, ["outbox", "status"])
    assert "pending: 3" in status.output and "Nothing is dead." in status.output


def test_retry_without_rows_or_with_live_ones_says_what_to_do(outbox_db: str) -> None:
    result = runner.invoke(app, ["outbox", "retry"])
    assert result.exit_code == 2
    assert "--id N" in result.output and "--all" in result.output
    result = runner.invoke(app, ["outbox", "retry", "--id", "3"])
    assert result.exit_code == 1
    assert "0 dead messages queued again" in result.output
    assert "1 of the ids given are not dead rows" in result.output
