"""The progress report: `kompis report progress` (table and CSV) and `report` in chat show
what was really done, per organisation and stage; coordinators get their own organisation,
organisers the whole cohort, leaders a polite no."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.people import Person
from bot.storage.db import Database
from bot.storage.repo import unit
from tests.helpers import ROOT, Harness, shipped_catalog
from tests.test_teamwork import OWN_WORK, TEAM_TASK

runner = CliRunner()
PEOPLE = ROOT / "schedules" / "tf-2027.participants.csv"
#: Per did all of the pre-work (the team task too), Silje her own part (the team task is
#: Per's), Geir in Balsfjord his own part but not his team's task.
DONE = {
    "Per Olsen": [*OWN_WORK, TEAM_TASK],
    "Silje Berg": OWN_WORK,
    "Geir Andreassen": OWN_WORK,
}


def participants_per_organisation() -> dict[str, int]:
    with PEOPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    found: dict[str, int] = {}
    for row in rows:
        if "participant" in row["role"]:
            found[row["organisation"]] = found.get(row["organisation"], 0) + 1
    return found


async def mark(url: str, done: dict[str, list[str]]) -> list[Person]:
    db = Database(url)
    try:
        async with unit(db) as store:
            people = await store.people_in_cohort("tf-2027")
            by_name = {p.name: p for p in people}
            for name, refs in done.items():
                for ref in refs:
                    await store.mark_done(by_name[name].id, ref, "test", datetime.now(UTC))
            return people
    finally:
        await db.dispose()


@pytest.fixture
def db_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    imported = runner.invoke(app, ["participants", "import", str(PEOPLE), "--cohort", "tf-2027"])
    assert imported.exit_code == 0, imported.output
    asyncio.run(mark(database_url, DONE))
    return database_url


def test_the_report_counts_what_was_done(db_env: str, tmp_path: Path) -> None:
    out = tmp_path / "progress.csv"
    args = ["report", "progress", "--cohort", "tf-2027", "--on", "2027-02-15"]
    result = runner.invoke(app, [*args, "--module", "organisasjon", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "Progress in tf-2027, Pulje 1 – toppledere, 2027-02-15" in result.output
    with out.open(encoding="utf-8") as handle:
        rows = {(r["organisation"], r["stage"]): r for r in csv.DictReader(handle)}
    per_org = participants_per_organisation()
    assert len(rows) == 2 * 26  # 26 organisations, two stages opened by 15 February
    tromso = rows[("tromso", "forarbeid")]
    # Per and Silje are done (the team task counts for Silje); Kari and Anders are not
    assert (tromso["completed"], tromso["participants"], tromso["percent"]) == ("2", "4", "50")
    assert tromso["not_started"] == "2" and tromso["round"] == "Pulje 1 – toppledere"
    balsfjord = rows[("balsfjord", "forarbeid")]
    assert (balsfjord["completed"], balsfjord["participants"]) == ("0", "2")  # no team task
    assert balsfjord["not_started"] == "1"  # Tone; Geir did his part
    assert rows[("tromso", "etterarbeid")]["completed"] == "0"
    everyone = sum(per_org.values())
    assert f"2/{everyone} ({round(200 / everyone)}%)" in result.output
    line = next(x for x in result.output.splitlines() if "Tromsø kommune" in x)
    assert "2/4 (50%)" in line and "Anders Johansen, Kari Nilsen" in line
    assert "Per Olsen" not in line and "Silje Berg" not in line


def test_the_report_in_sami_shows_official_sami_names(db_env: str) -> None:
    args = ["report", "progress", "--cohort", "tf-2027", "--on", "2027-02-15", "--locale", "se"]
    result = runner.invoke(app, [*args, "--module", "organisasjon"])
    assert result.exit_code == 0, result.output
    assert "Romssa suohkan" in result.output and "Guovdageainnu suohkan" in result.output
    assert "Alta kommune" in result.output  # no Sámi name given: the name


def test_bad_options_are_one_clear_line(db_env: str, tmp_path: Path) -> None:
    base = ["report", "progress", "--cohort", "tf-2027"]
    result = runner.invoke(app, [*base, "--module", "ledlese"])
    assert result.exit_code == 2
    assert "--module 'ledlese' is not a module of tf-2027; use one of organisasjon" in (
        result.output
    )
    result = runner.invoke(app, [*base, "--on", "15.2.2027"])
    assert result.exit_code == 2 and "--on '15.2.2027' is not a date" in result.output
    assert "Traceback" not in result.output


async def test_report_in_chat_for_a_coordinator_an_organiser_and_a_leader(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort="tf-2027")
    await h.start()
    try:
        await h.advance(timedelta(days=2))  # Tuesday 12 January: pre-work is open
        async with unit(h.app.db) as store:
            for name, refs in DONE.items():
                person = next(p for p in await store.people_in_cohort("tf-2027") if p.name == name)
                for ref in refs:
                    await store.mark_done(person.id, ref, "test", h.clock.now())
        await h.say("kari.nilsen", "rapport")  # Tromsø's coordinator
        kari = h.last("kari.nilsen")
        assert kari.splitlines()[0] == "Fremdrift i Tromsø kommune"
        assert "Pulje 1 – toppledere" in kari
        assert "Forarbeid – Organisasjon\n2 av 4 ledere er ferdige (50 %)." in kari
        assert "Har ikke begynt ennå:\n- Anders Johansen\n- Kari Nilsen" in kari
        assert "Balsfjord" not in kari and "Geir" not in kari
        await h.say("ingrid.solbakken", "report")  # an organiser
        ingrid = h.last("ingrid.solbakken")
        assert ingrid.splitlines()[0] == "Fremdrift i hele kullet"
        assert "- Tromsø kommune: 2 av 4 (50 %)" in ingrid
        assert "- Balsfjord kommune: 0 av 2 (0 %)" in ingrid
        assert "Storfjord" not in ingrid  # no participants there
        await h.say("per.olsen", "rapport")  # a leader
        assert h.last("per.olsen") == (
            "Fremdriftsrapporten er for koordinatorer og arrangører. Skriv «status» for å se "
            "din egen fremdrift."
        )
    finally:
        await h.stop()


async def test_a_coordinator_without_leaders_is_told_so(database_url: str) -> None:
    h = Harness(database_url, cohort="tf-2027")
    await h.start()
    try:
        await h.advance(timedelta(days=2))
        await h.say("marit.isaksen", "rapport")  # Storfjord's coordinator, no leaders there
        assert h.last("marit.isaksen").splitlines() == [
            "Fremdrift i Storfjord kommune",
            "Pulje 1 – toppledere",
            "",
            "Ingen i organisasjonen din er med som leder i dette programmet.",
        ]
    finally:
        await h.stop()


def test_reports_and_exports_name_the_round() -> None:
    """The pulje of a schedule heads every report and export (``cohort_heading``)."""
    from bot.domain.cohort import cohort_heading

    tf = shipped_catalog().cohort("tf-2027")
    assert tf.round is not None
    assert cohort_heading(tf, "nb").endswith(", " + tf.round["nb"])
    demo = shipped_catalog().cohort("demo")
    assert demo.round is None and cohort_heading(demo, "nb") == demo.name.get("nb", demo.name)
