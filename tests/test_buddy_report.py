"""`kompis report buddies`: quiet groups, check-in answers, requests for a new buddy, as a
table or a CSV; never the messages themselves; bad input named in one line, exit 2."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.storage.repo import unit
from tests.helpers import Harness

runner = CliRunner()
OSLO = ZoneInfo("Europe/Oslo")


async def prepare(database_url: str) -> None:
    """Two groups in demo: Kari and Anna talk and Anna asks for a new buddy; Siri and
    Johan stay quiet."""
    h = Harness(database_url)
    await h.start()
    try:
        ids = {
            n: await h.person_id(n)
            for n in ("kari.nordvik", "anna.lindqvist", "siri.haugen", "johan.berglund")
        }
        async with unit(h.app.db) as store:
            await store.save_buddy_groups(
                "demo",
                1,
                [
                    [ids["kari.nordvik"], ids["anna.lindqvist"]],
                    [ids["siri.haugen"], ids["johan.berglund"]],
                ],
                h.clock.now(),
            )
        h.clock.set(datetime(2027, 1, 25, 10, 0, tzinfo=OSLO))
        await h.app.tick()  # the check-ins
        asked = [
            b.action
            for s in h.transport.sent
            if s.address.chat_id == "anna.lindqvist"
            for b in s.message.buttons
            if b.action.endswith(":new_buddy")
        ]
        await h.say("anna.lindqvist", action=asked[0])
        h.clock.set(datetime.combine(datetime(2027, 1, 26).date(), time(10), OSLO))
        await h.say("kari.nordvik", "kompis Hemmelig: jeg har glemt oppgaven")
    finally:
        await h.stop()


@pytest.fixture
def prepared(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    asyncio.run(prepare(database_url))
    return database_url


def test_the_report_shows_quiet_groups_answers_and_requests(prepared: str) -> None:
    result = runner.invoke(app, ["report", "buddies", "--cohort", "demo", "--on", "2027-01-27"])
    assert result.exit_code == 0, result.output
    assert "Kari Nordvik (Tromsø kommune)" in result.output
    assert "wants a new buddy" in result.output
    assert "1 quiet group(s) in the current stage; 1 asked for a new buddy" in result.output
    assert "Hemmelig" not in result.output  # organisers never see what buddies write


def test_the_csv_has_one_row_per_group(prepared: str, tmp_path: Path) -> None:
    out = tmp_path / "buddies.csv"
    result = runner.invoke(
        app, ["report", "buddies", "--cohort", "demo", "--csv", str(out), "--on", "2027-01-27"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 2
    talking, quiet = rows
    assert talking["messages"] == "1" and talking["quiet"] == "no"
    assert talking["last_message"] == "2027-01-26 10:00"
    assert talking["new_buddy_requested_by"] == "Anna Lindqvist"
    assert "Anna Lindqvist: wants a new buddy" in talking["check_ins"]
    assert "Kari Nordvik: no answer" in talking["check_ins"]
    assert quiet["messages"] == "0" and quiet["quiet"] == "yes" and quiet["status"] == "open"
    assert "Hemmelig" not in out.read_text(encoding="utf-8")


def test_bad_input_is_one_line_and_exit_2(prepared: str, tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["report", "buddies", "--cohort", "nope"])
    assert unknown.exit_code == 2 and "unknown cohort 'nope'" in unknown.output
    bad_day = runner.invoke(app, ["report", "buddies", "--cohort", "demo", "--on", "27.1."])
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.output
    nowhere = tmp_path / "missing" / "b.csv"
    unwritable = runner.invoke(
        app, ["report", "buddies", "--cohort", "demo", "--csv", str(nowhere)]
    )
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.output
    assert "Traceback" not in unknown.output + bad_day.output + unwritable.output
    assert not nowhere.parent.exists()
