"""``mydata`` in `kompis demo`: a terminal cannot show a file, so the console saves it beside
the demo database and prints where; ``forget`` asks and a no keeps everything."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def test_the_demo_saves_the_export_and_says_where(tmp_path: Path) -> None:
    script = "mine-data\nglem\nnei\nstatus\n"
    result = runner.invoke(
        app, ["demo", "--script", "-", "--db", str(tmp_path / "d.db")], input=script
    )
    assert result.exit_code == 0, result.output
    (saved,) = tmp_path.glob("kompis-mydata-*.json")
    assert f"saved as {saved}" in result.output.replace("\n  ", " ")
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["person"]["name"] and data["chat_accounts"][0]["platform"] == "console"
    assert "Ingenting er slettet" in result.output
    assert "[1] Ja, slett alt   [2] Nei, behold dataene mine" in result.output
