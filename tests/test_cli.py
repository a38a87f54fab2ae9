"""The command line: demo transcripts, run without platforms, db upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()
SCRIPT = "status\n/clock +1d\nsvar\nVi prøvde noe nytt. \\\nDet gikk bra.\nstatus\n"


def demo(tmp_path: Path, *extra: str) -> str:
    result = runner.invoke(
        app, ["demo", "--script", "-", "--db", str(tmp_path / "d.db"), *extra], input=SCRIPT
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_in_norwegian_by_default(tmp_path: Path) -> None:
    out = demo(tmp_path)
    assert "you are kari.nordvik" in out
    assert "Forarbeid – " in out and "Nå kan du begynne. Frist: fredag 5. februar 2027." in out
    assert "Refleksjonsspørsmål" in out
    assert "Svaret ditt på «Din erfaring» er lagret." in out
    assert "- Din erfaring: ferdig" in out


def test_demo_in_swedish_for_a_swedish_leader(tmp_path: Path) -> None:
    out = demo(tmp_path, "--as", "anna.lindqvist")
    assert "Förarbete – " in out and "Nu kan du börja. Sista dag: fredag 5 februari 2027." in out
    assert "Reflektionsfråga" in out
    assert "Ditt svar på ”Din erfarenhet” är sparat." in out
    assert "- Din erfarenhet: klar" in out


def test_demo_unknown_person_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--script", "-", "--db", str(tmp_path / "d.db"), "--as", "nobody"], input=""
    )
    assert result.exit_code == 1
    assert "no sample person matches 'nobody'" in result.output


def test_run_without_platforms_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KOMPIS_TELEGRAM_TOKEN", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "KOMPIS_TELEGRAM_TOKEN" in result.output and "kompis demo" in result.output


def test_db_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "k.db").exists()


def test_a_second_demo_neither_runs_nor_wipes_the_first(tmp_path: Path) -> None:
    from bot.storage.single import acquire_single_process

    db = tmp_path / "d.db"
    db.write_bytes(b"the first demo's data")
    held = acquire_single_process(f"sqlite:///{db}")
    try:
        result = runner.invoke(app, ["demo", "--script", "-", "--db", str(db)], input="")
    finally:
        assert held is not None
        held.release()
    assert result.exit_code == 1
    assert "another Kompis process is already using" in result.output
    assert db.read_bytes() == b"the first demo's data"


UNREACHABLE = "postgresql+psycopg://root@127.0.0.1:1/test"  # loopback, nothing listens on 1


def one_clear_line(result: object, code: int, expected: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == code, output  # type: ignore[attr-defined]
    assert isinstance(result.exception, SystemExit), result.exception  # type: ignore[attr-defined]
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("kompis: ")]
    assert len(lines) == 1 and expected in lines[0], output


EVERY_COMMAND = [
    ["check"],
    ["demo", "--script", "-"],
    ["schedule", "preview", "--cohort", "demo", "--from", "2027-01-01", "--to", "2027-02-01"],
    ["participants", "import", "schedules/demo.participants.csv", "--cohort", "demo"],
    ["report", "reachability", "--cohort", "demo"],
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: " ".join(c[:2]))
def test_a_missing_content_folder_is_one_line_and_exit_2(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KOMPIS_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    extra = ["--db", str(tmp_path / "d.db")] if command[0] == "demo" else []
    result = runner.invoke(app, [*command, *extra], input="")
    one_clear_line(
        result,
        2,
        f"the programmes folder {tmp_path / 'content'} does not exist; set KOMPIS_CONTENT_DIR",
    )


@pytest.mark.parametrize("command", [["db", "upgrade"], *EVERY_COMMAND[2:]], ids=" ".join)
def test_an_unreachable_database_is_one_line_and_exit_2(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import ROOT

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("KOMPIS_DATABASE_URL", UNREACHABLE)
    result = runner.invoke(app, command)
    one_clear_line(
        result, 2, f"cannot reach the database at {UNREACHABLE}: connection to server at"
    )
    assert "check KOMPIS_DATABASE_URL" in result.output
    assert "database empty" not in result.output  # schedule preview does not pretend


def test_a_missing_postgresql_database_is_one_line_and_exit_2(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/kompis_no_such_database"
    monkeypatch.setenv("KOMPIS_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    one_clear_line(result, 2, 'database "kompis_no_such_database" does not exist')


def test_a_malformed_setting_is_one_line_in_plain_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPIS_HTTP_PORT", "abc")
    monkeypatch.setenv("KOMPIS_LOG_LEVEL", "LOUD")
    result = runner.invoke(app, ["check"])
    one_clear_line(
        result,
        2,
        "setting KOMPIS_HTTP_PORT: 'abc' should be a whole number (write digits only, e.g. 7); "
        "setting KOMPIS_LOG_LEVEL: 'LOUD' is not one of the choices (use one of 'DEBUG', 'INFO', "
        "'WARNING' or 'ERROR')",
    )
    assert "Input should be" not in result.output
