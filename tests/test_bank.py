"""The reflection bank in chat, through the real app: consent after an answer and changing
it, editing and deleting, comments and the author's answer, flags, moderation from chat and
the command line, and bad input, each with a clear localised reply."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.domain.people import Visibility
from bot.storage.repo import unit
from bot.storage.tables_bank import BankCommentRow
from tests.bank_support import REF, World, world

SECOND_REF = "kom-i-gang/forarbeid/refleksjon-2"

runner = CliRunner()


@pytest.fixture
async def bank(database_url: str) -> World:
    found = await world(database_url)
    yield found  # type: ignore[misc]
    await found.harness.stop()


async def test_only_me_chosen_right_after_saving_is_never_announced(bank: World) -> None:
    """The buddy's invitation waits and is composed when it goes out: an author who narrows
    the default at once is not announced (the old code sent the answer to the buddy at
    once, before the author could choose)."""
    before = len(bank.received("buddy"))
    entry = await bank.answer("Dette er bare for meg.")
    await bank.share(entry, Visibility.PRIVATE)
    await bank.harness.advance(timedelta(minutes=30))
    assert not [t for t in bank.received("buddy", before) if "Dette er bare for meg." in t]
    # an edit before the invitation goes out is what the buddy reads
    other = await bank.answer("Første utkast.", ref=SECOND_REF)
    await bank.say("author", action=f"reflect:{SECOND_REF}")
    await bank.say("author", "Andre utkast, det ferdige.")
    await bank.harness.advance(timedelta(minutes=11))
    told = [t for t in bank.received("buddy", before) if "har delat ett svar" in t]
    assert len(told) == 1 and "Andre utkast, det ferdige." in told[0], told
    assert other


async def test_consent_after_an_answer_and_changed_later(bank: World) -> None:
    got = await bank.say("author", action=f"reflect:{REF}")
    got = await bank.say("author", "Vi lærte mye av brukerne.")
    assert "Du og læringsvennen din kan lese det. Velg hvem som kan lese det:" in got[-1]
    sent = bank.harness.transport.sent[-1]
    labels = [b.label for b in sent.message.buttons]
    assert labels[:3] == ["Bare meg", "Kullet, med navnet mitt", "Kullet, uten navn"]
    # the buddy is invited to comment, by name (the default is "my buddy"), once the author
    # had a moment to choose otherwise
    before = len(bank.received("buddy"))
    await bank.harness.advance(timedelta(minutes=9))
    assert len(bank.received("buddy")) == before
    await bank.harness.advance(timedelta(minutes=2))
    invite = bank.received("buddy")[-1]
    assert "Din lärkompis Kari Nordvik har delat ett svar" in invite
    assert "Vi lærte mye av brukerne." in invite
    entry = await bank.answer("Vi lærte mye av brukerne.")  # the same answer again: updated
    await bank.share(entry, Visibility.ANONYMOUS)
    assert "Alle i kullet kan lese det, uten navnet ditt." in bank.received("author")[-1]
    await bank.share(entry, Visibility.PRIVATE)
    async with unit(bank.harness.app.db) as store:
        history = await store.consents(entry)
    assert [(v, source) for v, _, source in history] == [
        (Visibility.BUDDY, "default"),
        (Visibility.ANONYMOUS, "chosen"),
        (Visibility.PRIVATE, "chosen"),
    ]
    # effective at once: the buddy no longer reads it
    got = await bank.say("buddy", f"bank {entry}")
    assert "Det finns inget svar" in got[-1]


async def test_edit_and_delete_an_answer(bank: World) -> None:
    entry = await bank.answer("Første versjon.")
    await bank.share(entry, Visibility.COHORT)
    await bank.say("author", action=f"reflect:{REF}")
    await bank.say("author", "Andre versjon.")
    got = await bank.say("leader", f"bank {entry}")
    assert "Andre versjon." in got[-1] and "Første" not in got[-1]
    await bank.say("leader", action=f"bank_comment:{entry}")
    await bank.say("leader", "Godt poeng!")
    async with unit(bank.harness.app.db) as store:  # as if it came from a Telegram message
        await store.remember_answer("telegram", "1", "9", bank.ids["author"], REF, bank.now)
    got = await bank.say("author", action=f"bank_delete:{entry}")
    assert "kan ikke hentes tilbake" in got[-1]
    got = await bank.say("author", action=f"bank_delete:{entry}:yes")
    assert "er slettet" in got[-1]
    for kind in ("leader", "buddy", "organiser"):
        got = await bank.say(kind, f"bank {entry}")
        assert (
            "Det finnes ikke noe svar" in got[-1]
            or "Det finst ikkje" in got[-1]
            or ("Det finns inget svar" in got[-1])
        )
    async with unit(bank.harness.app.db) as store:
        assert (await store.session.exec(select(BankCommentRow))).all() == []
        assert await store.reflections(bank.ids["author"]) == []
        # editing that message later does not bring the answer back; the task is open again
        assert await store.answered_by("telegram", "1", "9") is None
        assert REF not in (await store.completed([bank.ids["author"]]))[bank.ids["author"]]


async def test_the_author_is_told_of_comments_and_answers_in_the_thread(bank: World) -> None:
    entry = await bank.answer("Vi glemte brukerne.")
    await bank.share(entry, Visibility.COHORT)
    await bank.say("leader", action=f"bank_comment:{entry}")
    got = await bank.say("leader", "Det kjenner jeg igjen.")
    assert "Takk! Kommentaren din" in got[-1]
    told = bank.received("author")[-1]
    assert "Liv Fjell har kommentert svaret ditt på «Din erfaring»" in told
    await bank.say("author", action=f"bank_comment:{entry}")
    await bank.say("author", "Takk, Liv!")
    assert "Kari Nordvik har svart i kommentarene" in bank.received("leader")[-1]
    got = await bank.say("organiser", f"bank {entry}")
    assert "Liv Fjell" in got[-1] and "Det kjenner jeg igjen." in got[-1]
    assert "Takk, Liv!" in got[-1]


async def test_flag_hide_from_chat_and_unhide_from_the_command_line(
    bank: World, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await bank.answer("Noe upassende.")
    await bank.share(entry, Visibility.COHORT)
    got = await bank.say("leader", action=f"bank_flag:{entry}")
    assert "Takk for at du sa fra" in got[-1]
    assert "har meldt et svar i refleksjonsbanken som upassende" in bank.received("organiser")[-1]
    # a leader cannot hide; the organiser can, with a reason
    got = await bank.say("leader", action=f"bank_hide:{entry}")
    assert "Bare arrangørene av kullet" in got[-1]
    await bank.say("organiser", action=f"bank_hide:{entry}")
    got = await bank.say("organiser", "Navn på en innbygger")
    assert f"Svar {entry} er skjult i banken" in got[-1]
    told = bank.received("author")[-1]
    assert "En arrangør har skjult svaret ditt" in told and "Navn på en innbygger" in told
    got = await bank.say("leader", f"bank {entry}")
    assert "Det finnes ikke noe svar" in got[-1]
    got = await bank.say("organiser", action=f"bank_comment:{entry}")
    assert "er skjult i banken, så det kan ikke få kommentarer" in got[-1]

    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    result = await asyncio.to_thread(runner.invoke, cli, ["bank", "unhide", str(entry)])
    assert result.exit_code == 0, result.output
    assert f"answer {entry} is shown again and its author will be told" in result.output
    result = await asyncio.to_thread(
        runner.invoke, cli, ["bank", "hide", "999999", "--reason", "x"]
    )
    assert result.exit_code == 2
    assert "there is no answer 999999 in the bank" in result.output
    result = await asyncio.to_thread(
        runner.invoke, cli, ["bank", "hide", str(entry), "--reason", "  "]
    )
    assert result.exit_code == 2 and "--reason is empty" in result.output
    await bank.harness.app.tick()
    assert "er i refleksjonsbanken igjen" in bank.received("author")[-1]
    got = await bank.say("leader", f"bank {entry}")
    assert "Noe upassende." in got[-1]


async def test_bad_input_gets_a_clear_localised_reply(bank: World) -> None:
    await bank.say("author", action=f"reflect:{REF}")
    got = await bank.say("author", "   ")
    assert got[-1].startswith("Svaret er tomt") or "tom" in got[-1]
    got = await bank.say("author", "x" * 10_000)
    assert "10\xa0000" in got[-1]
    markup = "**fet** [lenke](javascript:alert(1)) <b>html</b> _k_"
    entry = await bank.answer(markup)
    await bank.share(entry, Visibility.COHORT)
    await bank.say("leader", f"bank {entry}")
    shown = bank.harness.transport.sent[-1].message.text
    assert "\\*\\*fet\\*\\*" in shown and "\\[lenke\\]" in shown  # literal, not formatting
    # comments: empty, too long, on a deleted entry
    await bank.say("leader", action=f"bank_comment:{entry}")
    got = await bank.say("leader", "x" * 1001)
    assert "1\xa0001 tegn; grensen er 1\xa0000" in got[-1]
    got = await bank.say("leader", "Ok")
    assert "Takk! Kommentaren din" in got[-1]
    # a forged button for someone else's entry: no change, a clear no
    got = await bank.say("leader", action=f"bank_share:{entry}:private")
    assert "Bare den som skrev svaret, kan gjøre det." in got[-1]
    got = await bank.say("leader", action=f"bank_delete:{entry}:yes")
    assert "Bare den som skrev svaret" in got[-1]
    got = await bank.say("other_cohort", action=f"bank_comment:{entry}")
    assert "Det finnes ikke noe svar" in got[-1]
    got = await bank.say("leader", "bank teleport")
    assert "«teleport» er ikke en modul eller et spørsmål" in got[-1]
    await bank.say("leader", action=f"bank_comment:{entry}")
    await bank.say("author", action=f"bank_delete:{entry}:yes")
    got = await bank.say("leader", "Kommentar til noe som er borte")
    assert "Det finnes ikke noe svar" in got[-1]


async def test_export_from_the_command_line(
    bank: World, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = await bank.answer("Del med alle; semikolon og =SUM(A1).")
    await bank.share(named, Visibility.COHORT)
    anonymous = await bank.answer(
        "Uten navn. <script>alert(1)</script>", ref="kom-i-gang/forarbeid/refleksjon-2"
    )
    await bank.share(anonymous, Visibility.ANONYMOUS)
    await bank.answer("Bare for læringsvennen.", kind="leader")
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    out = tmp_path / "bank.csv"
    result = await asyncio.to_thread(
        runner.invoke,
        cli,
        ["bank", "export", "--cohort", "demo", "--format", "csv", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Modul;Spørsmål;Nummer;Navn;Organisasjon;Svar;Dato"
    assert 'Kari Nordvik;Tromsø kommune;"Del med alle; semikolon og =SUM(A1)."' in lines[1]
    assert lines[2].split(";")[3:5] == ["", ""] and "Uten navn." in lines[2]
    assert len(lines) == 3  # the buddy-only answer is not for the wall
    html = tmp_path / "bank.html"
    result = await asyncio.to_thread(
        runner.invoke,
        cli,
        ["bank", "export", "--cohort", "demo", "--format", "html", "--out", str(html)],
    )
    page = html.read_text(encoding="utf-8")
    assert "@page { size: A4" in page and "<h3>Din erfaring</h3>" in page
    assert page.count("Kari Nordvik") == 1 and "anonym" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    result = await asyncio.to_thread(
        runner.invoke, cli, ["bank", "export", "--cohort", "demo", "--module", "nope"]
    )
    assert result.exit_code == 2 and "--module 'nope' is not in demo" in result.output
    result = await asyncio.to_thread(
        runner.invoke, cli, ["bank", "export", "--cohort", "demo", "--group", "dag-2"]
    )
    assert result.exit_code == 0 and "Kari Nordvik" not in result.output
    assert "Uten navn." in result.output  # anonymous answers are the whole cohort's
