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
    assert "Ditt svar på «Din erfarenhet» är sparat." in out
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
