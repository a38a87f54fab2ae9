"""`kompis schedule preview`: the real planner and fan-out, nothing sent."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.helpers import Harness

runner = CliRunner()


def rows(output: str) -> list[tuple[str, str]]:
    """(type, people) for each table row."""
    found = []
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if len(cells) == 4 and cells[3].isdigit():
            found.append((cells[1], cells[3]))
    return found


def test_preview_from_the_participants_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(
        app,
        ["schedule", "preview", "--cohort", "demo", "--from", "2027-02-04", "--to", "2027-02-09"],
    )
    assert result.exit_code == 0, result.output
    assert rows(result.output) == [
        ("deadline today", "5"),
        ("gathering tomorrow", "3"),  # Tromsø and Alta meet on day 1
        ("overdue nudge", "5"),
        ("stage opens", "5"),
        ("gathering tomorrow", "2"),  # Kiruna and Haparanda on day 2
    ]
    assert "Mon 2027-02-08" in result.output
    assert "Sat" not in result.output and "Sun" not in result.output
    assert "demo.participants.csv" in result.output
    assert not (tmp_path / "empty.db").exists()  # previewing creates nothing


def test_preview_uses_people_and_progress_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'kompis.db'}"

    async def setup() -> None:
        h = Harness(url)
        await h.start()
        await h.advance(timedelta(days=1))
        for _ in range(2):
            await h.say("kari.nordvik", action="reflect")
            await h.say("kari.nordvik", "Et svar.")
        await h.say("kari.nordvik", action="done:kom-i-gang/forarbeid/gruppeoppgave")
        await h.say("ola.bakken", "pause 2027-02-06")
        await h.stop()

    asyncio.run(setup())
    monkeypatch.setenv("KOMPIS_DATABASE_URL", url)
    result = runner.invoke(
        app,
        ["schedule", "preview", "--cohort", "demo", "--from", "2027-02-04", "--to", "2027-02-05"],
    )
    assert result.exit_code == 0, result.output
    # Kari is done and Ola is paused: 3 of 5 participants are still reminded
    assert rows(result.output) == [("deadline today", "3")]
    assert "in the database" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--cohort", "nope", "--from", "2027-01-01", "--to", "2027-02-01"],
            "unknown cohort 'nope'",
        ),
        (
            ["--cohort", "demo", "--from", "1.1.2027", "--to", "2027-02-01"],
            "--from '1.1.2027' is not a date",
        ),
        (["--cohort", "demo", "--from", "2027-02-01", "--to", "2027-01-01"], "is before --from"),
    ],
)
def test_preview_refuses_bad_input(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["schedule", "preview", *args])
    assert result.exit_code == 1
    assert message in result.output
