"""`kompis report quiz`: the figures match what leaders answered (first takes for the
questions, best takes for the organisations), no names; bad options get one clear line."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.quiz_report import build_report
from bot.storage.repo import unit
from tests.helpers import Harness
from tests.quiz_support import ANNA, KARI, OLA, quiz_catalog

runner = CliRunner()


async def take(h: Harness, handle: str, *typed: str, again: bool = False) -> None:
    await h.say(handle, "quiz igjen" if again else "quiz")
    for text in typed:
        await h.say(handle, text)


async def test_report_figures_match_the_answers(database_url: str) -> None:
    catalog = quiz_catalog()
    h = Harness(database_url, catalog=catalog)
    await h.start()
    try:
        await h.advance(timedelta(days=1))
        await take(h, KARI, "2", "1", "2")  # right, wrong (one of two), wrong
        await take(h, OLA, "1", "1 3", "1")  # wrong, right, right
        await take(h, OLA, "2", "1 3", "1", again=True)  # a retake: all right
        await take(h, ANNA, "1")  # wrong, then left half done
        async with unit(h.app.db) as store:
            (result,) = await build_report(store, h.catalog, "demo")
    finally:
        await h.stop()
    q1, q2, q3 = result.questions
    assert (q1.answered, q1.right_first, q1.common_wrong) == (3, 1, frozenset({0}))
    assert (q2.answered, q2.right_first, q2.common_wrong) == (2, 1, frozenset({0}))
    assert (q3.answered, q3.right_first, q3.common_wrong) == (2, 1, frozenset({1}))
    orgs = {o.organisation: o for o in result.organisations}
    assert set(orgs) == {"Tromsø kommune", "Alta kommune", "Kiruna kommun", "Haparanda kommun"}
    tromso = orgs["Tromsø kommune"]
    assert (tromso.leaders, tromso.finished) == (2, 2)
    assert tromso.mean_best == pytest.approx((1 / 3 + 3 / 3) / 2)
    assert (orgs["Kiruna kommun"].finished, orgs["Kiruna kommun"].mean_best) == (0, None)


REF = "organisasjon/etterarbeid/quiz"


def test_the_command_prints_a_table_and_writes_csv(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)

    async def answer() -> None:
        h = Harness(database_url, cohort="tf-2027")
        await h.start()
        try:
            await h.say("per.olsen", action=f"quiz:{REF}")
            for _ in range(7):
                await h.say("per.olsen", "1")
            assert "Du fikk" in h.last("per.olsen")
        finally:
            await h.stop()

    asyncio.run(answer())
    out = tmp_path / "quiz.csv"
    result = runner.invoke(
        app,
        ["report", "quiz", "--cohort", "tf-2027", "--module", "organisasjon", "--csv", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Quiz: organisasjon" in result.output and "Tromsø kommune" in result.output
    assert "Pulje 1" in result.output  # the cohort's round (pulje) heads the report
    assert "Per" not in result.output and "Olsen" not in result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    questions = [r for r in rows if r["row"] == "question"]
    assert len(questions) == 7 and all(r["answered"] == "1" for r in questions)
    tromso = next(r for r in rows if r["organisation"] == "Tromsø kommune")
    assert (tromso["leaders"], tromso["finished"]) == ("4", "1")

    bad = runner.invoke(app, ["report", "quiz", "--cohort", "tf-2027", "--module", "nope"])
    assert bad.exit_code == 2
    assert "--module nope: no quiz in that module of tf-2027" in bad.output
    assert "Traceback" not in bad.output
