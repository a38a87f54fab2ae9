"""`kompis privacy export|forget|purge` beside a running Kompis, on both databases: bad input
is one line and exit 2, forget asks unless --yes, purge refuses a cohort that has not been
over long enough and counts what it removes (the dry run counts exactly the same)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.privacy import after
from bot.storage.repo import unit
from bot.storage.tables import CohortRow, MembershipRow, PersonRow
from tests.helpers import Harness
from tests.privacy_support import naming

runner = CliRunner()
KARI = "kari.nordvik@tromso.example.org"


async def kompis(*args: str, given: str | None = None) -> tuple[int, str]:
    result = await asyncio.to_thread(runner.invoke, app, list(args), given)
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _database(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", harness.app.settings.database_url)


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


async def test_export_to_a_file_and_to_stdout(harness: Harness, tmp_path: Path) -> None:
    await harness.say("kari.nordvik", "status")
    out = tmp_path / "kari.json"
    code, output = await kompis("privacy", "export", "--person", KARI.upper(), "--out", str(out))
    assert code == 0, output
    assert out.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["person"]["name"] == "Kari Nordvik" and doc["chat_accounts"]
    code, output = await kompis("privacy", "export", "--person", KARI)
    assert code == 0 and json.loads(output)["person"]["email"] == KARI


async def test_bad_input_is_one_line_and_exit_2(harness: Harness, tmp_path: Path) -> None:
    code, output = await kompis("privacy", "export", "--person", "nobody@example.org")
    assert code == 2 and "no person with the e-mail 'nobody@example.org'" in _one_line(output)
    code, output = await kompis("privacy", "forget", "--person", "nobody@example.org", "--yes")
    assert code == 2 and "check the address" in _one_line(output)
    code, output = await kompis("privacy", "export")
    assert code == 2 and "--person EMAIL" in _one_line(output)
    code, output = await kompis("privacy", "export", "--id", "9999")
    assert code == 2 and "no person with the id 9999" in _one_line(output)
    async with unit(harness.app.db) as store:
        twin = PersonRow(name="Kari N. (again)", email=KARI, created_at=harness.clock.now())
        store.session.add(twin)
        await store.session.flush()
        twin_id = twin.id
    code, output = await kompis("privacy", "forget", "--person", KARI, "--yes")
    assert code == 2 and f"2 people have the e-mail '{KARI}'" in _one_line(output)
    assert "--id" in output
    code, output = await kompis("privacy", "forget", "--id", str(twin_id), "--yes")
    assert code == 0 and "person" in output, output
    code, output = await kompis("privacy", "export", "--person", KARI, "--out", str(tmp_path))
    assert code == 2 and "cannot write" in _one_line(output)
    code, output = await kompis("privacy", "purge", "--cohort", "demo", "--older-than", "12x")
    assert code == 2 and "write it as 90d, 12m or 1y" in _one_line(output)
    code, output = await kompis("privacy", "purge", "--cohort", "nope", "--older-than", "1y")
    assert code == 2 and "no cohort 'nope'" in _one_line(output)


async def test_forget_asks_unless_yes(harness: Harness) -> None:
    kari = await harness.person_id("kari.nordvik")
    await harness.say("kari.nordvik", "status")
    before = await naming(harness, kari, "Kari Nordvik", KARI)
    code, output = await kompis("privacy", "forget", "--person", KARI, given="n\n")
    assert code == 1 and "nothing was deleted" in output and "identity" in output
    assert await naming(harness, kari, "Kari Nordvik", KARI) == before
    code, output = await kompis("privacy", "forget", "--person", KARI, given="y\n")
    assert code == 0 and "forgot" in output, output
    assert await naming(harness, kari, "Kari Nordvik", KARI) == {}


async def _set_end(harness: Harness, ends_on: date) -> None:
    async with unit(harness.app.db) as store:
        row = await store.session.get(CohortRow, "demo")
        assert row is not None
        row.ends_on = ends_on
        store.session.add(row)


async def test_purge_a_finished_cohort(harness: Harness) -> None:
    ola = await harness.person_id("ola.bakken")
    await harness.say("kari.nordvik", "status")
    async with unit(harness.app.db) as store:  # Ola is in a later cohort too
        store.session.add(
            CohortRow(
                id="later",
                programme_id="p",
                name="Later",
                timezone="UTC",
                locale="nb",
                country="NO",
            )
        )
        await store.session.flush()
        now = harness.clock.now()
        store.session.add(MembershipRow(person_id=ola, cohort_id="later", joined_at=now))
        demo = [p.id for p in await store.people_in_cohort("demo")]
        kari = await harness.person_id("kari.nordvik")
        await store.save_buddy_groups("demo", 1, [[ola, kari]], now)  # a demo buddy group
        await store.save_buddy_groups("later", 1, [[ola, demo[-1]]], now)
    today = datetime.now(UTC).date()
    await _set_end(harness, after(today, -11, "m"))
    code, output = await kompis("privacy", "purge", "--cohort", "demo", "--older-than", "12m")
    assert code == 2 and "less than 12m ago; it can be purged from" in _one_line(output)

    await _set_end(harness, after(today, -13, "m"))
    code, dry = await kompis(
        "privacy", "purge", "--cohort", "demo", "--older-than", "1y", "--dry-run"
    )
    assert code == 0 and "dry run, nothing changed" in dry, dry
    async with unit(harness.app.db) as store:
        assert len(await store.people_in_cohort("demo")) == len(demo)
    code, output = await kompis("privacy", "purge", "--cohort", "demo", "--older-than", "365d")
    assert code == 0, output
    assert dry.splitlines()[1:] == output.splitlines()[1:]
    counted = {line.split()[0]: int(line.split()[-1]) for line in output.splitlines()[1:]}
    assert counted["person"] == len(demo) - 1 and counted["membership"] == len(demo)
    async with unit(harness.app.db) as store:
        assert await store.people_in_cohort("demo") == []
        left = (await store.session.exec(select(MembershipRow))).all()
        assert [(m.person_id, m.cohort_id) for m in left] == [(ola, "later")]
        assert await store.buddy_group_of(ola, "demo") is None  # his part of demo is gone
        later = await store.buddy_group_of(ola, "later")
        assert later is not None and ola in later.members
    for person_id in demo:
        if person_id != ola:
            assert await naming(harness, person_id) == {}
