"""`kompis participants import`: nobody dropped silently. Known people join a second cohort,
changed details are shown (and applied with --update), Windows-1252 files and Norwegian and
Swedish headers are read, large files are written in a handful of queries."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import event
from typer.testing import CliRunner

from bot.app import Kompis
from bot.cli import app
from bot.curriculum.participants import parse_participants, read_participant_file
from bot.domain.clock import FakeClock
from bot.domain.people import Person, Role
from bot.organiser import ImportProgress
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit
from tests.helpers import shipped_catalog

runner = CliRunner()
KARI = "kari.nordvik@tromso.example.org"


@pytest.fixture
def db_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    return database_url


def write(tmp_path: Path, text: str, name: str = "people.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(csv: Path, cohort: str, *extra: str) -> Any:
    return runner.invoke(app, ["participants", "import", str(csv), "--cohort", cohort, *extra])


async def members(url: str, cohort_id: str) -> list[Person]:
    db = Database(url)
    try:
        async with unit(db) as store:
            return await store.people_in_cohort(cohort_id)
    finally:
        await db.dispose()


def test_a_person_joins_a_second_cohort_with_other_roles(db_env: str, tmp_path: Path) -> None:
    pulje1 = write(
        tmp_path,
        f"name;email;organisation;role\nKari Nordvik;{KARI};tromso;participant\n",
        "demo.csv",
    )
    assert "1 added to demo, 0 already there" in run_import(pulje1, "demo").output
    pulje2 = write(
        tmp_path,
        "name;email;organisation;role\n"
        f"Kari Nordvik;{KARI.upper()};balsfjord;coordinator\n"
        "Per Olsen;per.olsen@tromso.example.org;tromso;participant\n",
        "tf.csv",
    )
    result = run_import(pulje2, "tf-2027")
    assert result.exit_code == 0, result.output
    assert "2 added to tf-2027, 0 already there (1 of those added already in another cohort)" in (
        result.output
    )
    (in_demo,) = asyncio.run(members(db_env, "demo"))
    kari_tf, per = asyncio.run(members(db_env, "tf-2027"))
    assert (in_demo.organisation, in_demo.roles) == ("tromso", {Role.PARTICIPANT})
    assert (kari_tf.organisation, kari_tf.roles) == ("balsfjord", {Role.COORDINATOR})
    assert kari_tf.id == in_demo.id and kari_tf.cohort_ids == ("demo", "tf-2027")
    assert per.cohort_ids == ("tf-2027",)
    again = run_import(pulje2, "tf-2027")
    assert "0 added to tf-2027, 2 already there" in again.output
    assert "left unchanged" not in again.output


def test_changed_details_are_listed_and_applied_only_with_update(
    db_env: str, tmp_path: Path
) -> None:
    header = "name;email;organisation;role;locale\n"
    csv = write(tmp_path, header + f"Kari Nordvik;{KARI};tromso;participant;nb\n")
    run_import(csv, "demo")
    changed = write(
        tmp_path, header + f"Kari Nordvik-Berg;{KARI};alta;participant+coordinator;nn\n"
    )
    shown = run_import(changed, "demo")
    assert shown.exit_code == 0, shown.output
    assert "0 added to demo, 1 already there" in shown.output
    assert (
        "left unchanged for 1 person (run again with --update to apply these changes):\n"
        f"  {KARI}: name 'Kari Nordvik' -> 'Kari Nordvik-Berg'\n"
        f"  {KARI}: language 'nb' -> 'nn'\n"
        f"  {KARI}: organisation 'tromso' -> 'alta'\n"
        f"  {KARI}: role 'participant' -> 'coordinator+participant'\n"
    ) in shown.output
    (kari,) = asyncio.run(members(db_env, "demo"))
    assert (kari.name, kari.locale, kari.organisation) == ("Kari Nordvik", "nb", "tromso")

    applied = run_import(changed, "demo", "--update")
    assert applied.exit_code == 0, applied.output
    assert "changed for 1 person:\n" in applied.output and "left unchanged" not in applied.output
    (kari,) = asyncio.run(members(db_env, "demo"))
    assert (kari.name, kari.locale, kari.organisation) == ("Kari Nordvik-Berg", "nn", "alta")
    assert kari.roles == {Role.PARTICIPANT, Role.COORDINATOR}
    assert "0 added to demo, 1 already there\n" in run_import(changed, "demo").output


def test_update_in_one_cohort_leaves_the_other_membership_alone(
    db_env: str, tmp_path: Path
) -> None:
    run_import(write(tmp_path, f"name;email;organisation\nKari;{KARI};tromso\n"), "demo")
    tf = write(tmp_path, f"name;email;organisation;role\nKari;{KARI};lyngen;organiser\n")
    run_import(tf, "tf-2027")
    tf_changed = write(tmp_path, f"name;email;organisation;role\nKari;{KARI};karlsoy;coordinator\n")
    result = run_import(tf_changed, "tf-2027", "--update")
    assert f"{KARI}: organisation 'lyngen' -> 'karlsoy'" in result.output
    (in_demo,) = asyncio.run(members(db_env, "demo"))
    (in_tf,) = asyncio.run(members(db_env, "tf-2027"))
    assert (in_demo.organisation, in_demo.roles) == ("tromso", {Role.PARTICIPANT})
    assert (in_tf.organisation, in_tf.roles) == ("karlsoy", {Role.COORDINATOR})


def test_windows_1252_file_from_excel_is_read_and_said_so(db_env: str, tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "navn;e-post;kommune;rolle;språk\r\n"
        "Åse Ødegård;ase.odegard@alta.example.org;alta;participant;nn\r\n"
        "Bjørn Kværnø;bjorn.kvaerno@tromso.example.org;tromso;participant;nb\r\n",
        encoding="cp1252",
    )
    result = run_import(csv, "demo")
    assert result.exit_code == 0, result.output
    assert "read people.csv as Windows-1252\n2 added to demo" in result.output
    names = {p.name for p in asyncio.run(members(db_env, "demo"))}
    assert names == {"Åse Ødegård", "Bjørn Kværnø"}


def test_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    cohort = shipped_catalog().cohort("demo")
    csv = write(tmp_path, "name;email;organisation\nÅse Ødegård;ase@example.org;alta\n")
    read = read_participant_file(csv, cohort)
    assert read.encoding == "UTF-8" and read.rows[0].name == "Åse Ødegård"


def test_a_file_in_neither_encoding_says_how_to_save_it(tmp_path: Path) -> None:
    cohort = shipped_catalog().cohort("demo")
    csv = tmp_path / "people.csv"
    csv.write_bytes(b"name;email;organisation\nA\x81;a@example.org;alta\n")
    read = read_participant_file(csv, cohort)
    assert read.rows == []
    assert [str(p) for p in read.problems] == [
        f"{csv}: cannot read the file: it is neither UTF-8 nor Windows-1252 text "
        '(in Excel choose "Save as", then "CSV UTF-8 (comma delimited)")'
    ]


@pytest.mark.parametrize(
    "header",
    [
        "navn;e-post;organisasjon;rolle;språk",  # bokmål / nynorsk
        "navn;epost;kommune;rolle;språk",
        "namn;e-post;organisation;roll;språk",  # svenska
        "Namn;E-post;Kommun;Roll;Språk",
    ],
)
def test_norwegian_and_swedish_headers(header: str) -> None:
    cohort = shipped_catalog().cohort("demo")
    text = f"{header}\nAnna Lindqvist;anna@kiruna.example.org;kiruna;coordinator;sv\n"
    rows, problems = parse_participants(text, cohort, "people.csv")
    assert problems == []
    assert (rows[0].name, rows[0].email, rows[0].organisation) == (
        "Anna Lindqvist",
        "anna@kiruna.example.org",
        "kiruna",
    )
    assert (rows[0].roles, rows[0].locale) == ({Role.COORDINATOR}, "sv")


def test_problems_name_the_column_as_the_file_does() -> None:
    cohort = shipped_catalog().cohort("demo")
    text = "navn;e-post;kommune\nOla;ola.example.org;bergen\n"
    rows, problems = parse_participants(text, cohort, "people.csv")
    assert rows == []
    assert [f"{p.path}: {p.message}" for p in problems] == [
        "row 2.e-post: 'ola.example.org' is not an e-mail address",
        "row 2.kommune: 'bergen' is not an organisation of cohort demo",
    ]


def test_the_same_column_twice_is_a_problem() -> None:
    cohort = shipped_catalog().cohort("demo")
    rows, problems = parse_participants(
        "name;email;e-post;organisation\nA;a@example.org;b@example.org;alta\n", cohort, "p.csv"
    )
    assert rows == []
    assert [str(p) for p in problems] == [
        "p.csv: header: column 'email' is there twice ('email', 'e-post') (keep one of them)"
    ]


def test_a_bad_row_writes_nothing_not_even_changes_or_new_memberships(
    db_env: str, tmp_path: Path
) -> None:
    run_import(write(tmp_path, f"name;email;organisation\nKari;{KARI};tromso\n"), "demo")
    bad = write(
        tmp_path,
        "name;email;organisation;role\n"
        f"Kari Changed;{KARI};tromso;coordinator\n"
        "Ny Person;ny@example.org;tromso;participant\n"
        "Lars Feil;lars.feil@example.org;bergen;participant\n",
    )
    for cohort in ("demo", "tf-2027"):
        result = run_import(bad, cohort, "--update")
        assert result.exit_code == 1
        assert f"{bad}: row 4.organisation: 'bergen' is not an organisation" in result.output
        assert "nothing was imported" in result.output
    (kari,) = asyncio.run(members(db_env, "demo"))
    assert (kari.name, kari.roles, kari.cohort_ids) == ("Kari", {Role.PARTICIPANT}, ("demo",))
    assert asyncio.run(members(db_env, "tf-2027")) == []


def big_file(tmp_path: Path, count: int) -> Path:
    orgs = ["tromso", "alta", "kiruna", "haparanda", "nettverket"]
    lines = ["name;email;organisation;role;locale"] + [
        f"Person {i};person{i}@example.org;{orgs[i % 5]};participant;nb" for i in range(count)
    ]
    return write(tmp_path, "\n".join(lines) + "\n", f"people-{count}.csv")


async def timed_import(
    url: str, csv: Path, progress: list[tuple[int, int]]
) -> tuple[float, int, Kompis]:
    """Import ``csv`` into demo through the app; (seconds, SQL statements, app)."""
    kompis = Kompis(
        Settings(database_url=url),
        FakeClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC)),
        {},
        shipped_catalog(),
    )
    await kompis.start()
    statements: list[str] = []

    def count(*args: Any) -> None:
        if not args[2].startswith("BEGIN"):  # a unit's own BEGIN (SQLite) is no query
            statements.append(args[2])

    event.listen(kompis.db.engine.sync_engine, "before_cursor_execute", count)
    started = time.perf_counter()
    await kompis.import_participants(
        "demo", csv, progress=lambda done, total: progress.append((done, total))
    )
    seconds = time.perf_counter() - started
    event.remove(kompis.db.engine.sync_engine, "before_cursor_execute", count)
    return seconds, len(statements), kompis


def test_five_thousand_people_in_a_handful_of_queries(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = big_file(tmp_path, 5000)
    progress: list[tuple[int, int]] = []

    async def go() -> tuple[float, int, int]:
        seconds, statements, kompis = await timed_import(database_url, csv, progress)
        try:
            async with unit(kompis.db) as store:
                return seconds, statements, len(await store.people_in_cohort("demo"))
        finally:
            await kompis.stop()

    seconds, statements, imported = asyncio.run(go())
    with capsys.disabled():
        print(
            f"\n[{database_url.split(':')[0]}] 5,000 people imported in {seconds:.2f} s "
            f"with {statements} SQL statements"
        )
    assert imported == 5000
    # per 1,000 rows: one person insert, one membership insert, one role insert; plus the
    # look-ups. Per row it would be 10,000 and more.
    assert statements <= 25
    assert progress == [(1000, 5000), (2000, 5000), (3000, 5000), (4000, 5000)] + [(5000, 5000)] * 2


def test_progress_bar_only_for_large_files() -> None:
    out = io.StringIO()
    with ImportProgress(Console(file=out, force_terminal=True, width=80)) as bar:
        bar(0, 20)
        bar(20, 20)
    assert out.getvalue() == ""
    with ImportProgress(Console(file=out, force_terminal=True, width=80)) as bar:
        for done in (1000, 2000, 2500):
            bar(done, 2500)
    assert "importing people" in out.getvalue() and "100%" in out.getvalue()


def test_reachability_report_shows_the_organisation_in_the_cohort_at_hand(
    db_env: str, tmp_path: Path
) -> None:
    run_import(write(tmp_path, f"name;email;organisation\nKari;{KARI};tromso\n"), "demo")
    run_import(write(tmp_path, f"name;email;organisation\nKari;{KARI};balsfjord\n"), "tf-2027")

    async def block() -> None:
        db = Database(db_env)
        try:
            async with unit(db) as store:
                kari = await store.person_by_email(KARI)
                assert kari is not None
                now = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
                await store.link_identity(kari.id, "telegram", "42", "42", now)
                (identity,) = await store.identities(kari.id)
                await store.mark_unreachable(identity.id, "Forbidden: bot was blocked", now)
        finally:
            await db.dispose()

    asyncio.run(block())
    tf = runner.invoke(app, ["report", "reachability", "--cohort", "tf-2027"])
    assert "Kari" in tf.output and "Balsfjord" in tf.output and "Tromsø" not in tf.output
    demo = runner.invoke(app, ["report", "reachability", "--cohort", "demo"])
    assert "Kari" in demo.output and "Tromsø kommune" in demo.output
    vb = runner.invoke(app, ["report", "reachability", "--cohort", "vb-2027"])
    assert "Everyone in vb-2027 with a chat account can be reached." in vb.output
