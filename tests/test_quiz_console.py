"""A quiz in the terminal (the console transport of `kompis demo`): options are numbered
buttons, typing the number presses one; the feedback and summary read as plain text."""

from __future__ import annotations

import io
from datetime import time
from pathlib import Path

from bot.app import Kompis
from bot.domain.clock import FakeClock
from bot.settings import Settings
from bot.transports.console import PLATFORM, ConsoleTransport
from tests.helpers import ROOT
from tests.quiz_support import KARI, OPENS, quiz_catalog


async def test_a_quiz_on_the_console(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsoleTransport(out=out, focus=KARI)
    catalog = quiz_catalog()
    cohort = catalog.cohort("demo")
    clock = FakeClock(cohort.local(OPENS, time(12)))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'k.db'}")
    app = Kompis(settings, clock, {PLATFORM: console}, catalog)
    await app.start()
    try:
        csv = ROOT / "schedules" / "demo.participants.csv"
        await app.import_participants("demo", csv, platform=PLATFORM)

        async def type_(line: str) -> str:
            before = len(out.getvalue())
            await app.handle(console.to_inbound(KARI, line))
            return out.getvalue()[before:]

        first = await type_("quiz")
        assert "Spørsmål 1 av 3" in first and "[2] 2. En samtale om refleksjoner" in first
        feedback = await type_("2")  # presses button 2
        assert "(corrects an earlier message)" in feedback and "Det er riktig." in feedback
        assert "[4] Sjekk svaret mitt" in feedback  # the multiple-choice question's buttons
        assert "1. Nye arbeidsmåter (valgt)" in await type_("1")
        await type_("3")
        assert "Nye arbeidsmåter, Brukerens behov først. Det er riktig." in await type_("4")
        summary = await type_("1")
        assert "Du fikk 3 av 3 spørsmål riktig." in summary
        assert "Spørsmål du kan se på igjen" not in summary
    finally:
        await app.stop()
