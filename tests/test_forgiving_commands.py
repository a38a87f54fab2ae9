"""Commands forgive phone typing (punctuation, case, language names), and nothing anyone
writes goes unanswered: unknown words, empty messages, stray numbers and unknown buttons get
help, from known people and strangers alike."""

from __future__ import annotations

import pytest

from bot.domain.messages import Inbound
from bot.features.commands import parse_text
from tests.helpers import Harness

KARI = "kari.nordvik"


@pytest.mark.parametrize(
    ("text", "name", "argument", "exact"),
    [
        ("Status!", "status", "", True),
        ("status?", "status", "", True),
        ("STATUS.", "status", "", True),
        ("?", "help", "", True),
        ("Språk: svenska", "language", "svenska", True),
        ("språk English!", "language", "English", True),
        ("hopp over", "skip", "over", True),
        ("Hoppa över", "skip", "över", True),
        ("utsett 3", "snooze", "3", True),
        ("pause 2.8.", "pause", "2.8.", True),
        ("svar labs/chosen/natfiske.x", "reflect", "labs/chosen/natfiske.x", True),
        ("Status i dag: vi har börjat", "status", "i dag: vi har börjat", False),
        ("Klar och tydlig kommunikation", "done", "och tydlig kommunikation", False),
        ("Pause er viktig for oss", "pause", "er viktig for oss", False),
        ("Språk och kultur spelar roll här", "language", "och kultur spelar roll här", False),
        ("Mål og mening", "language", "og mening", False),
        ("språk norsk bokmål", "language", "norsk bokmål", True),
    ],
)
def test_commands_read_like_people_type_them(
    text: str, name: str, argument: str, exact: bool
) -> None:
    command = parse_text(text)
    assert command is not None
    assert (command.name, command.argument, command.exact) == (name, argument, exact)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("språk nynorsk", "Frå no av skriv eg til deg på norsk nynorsk."),
        ("språk svenska", "Från och med nu skriver jag till dig på svenska."),
        ("Språk English", "From now on I write to you in English."),
        ("språk bokmål", "Fra nå av skriver jeg til deg på norsk bokmål."),
        ("språk sv", "Från och med nu skriver jag till dig på svenska."),
    ],
)
async def test_languages_by_name_as_well_as_code(
    harness: Harness, typed: str, expected: str
) -> None:
    await harness.say(KARI, typed)
    assert harness.last(KARI) == expected


async def test_norsk_asks_which_norwegian_with_buttons(harness: Harness) -> None:
    await harness.say(KARI, "språk norsk")
    asked = harness.transport.sent[-1].message
    assert "bokmål eller nynorsk" in asked.text
    assert [b.action for b in asked.buttons] == ["language:nb", "language:nn"]
    await harness.say(KARI, "språk klingon")
    unknown = harness.transport.sent[-1].message
    assert "klingon" in unknown.text and "norsk nynorsk" in unknown.text
    assert [b.action for b in unknown.buttons] == [
        "language:nb",
        "language:nn",
        "language:sv",
        "language:en",
    ]


async def test_a_number_with_no_button_says_so(harness: Harness) -> None:
    await harness.say(KARI, "7")
    assert "Det finnes ingen knapp nummer 7" in harness.last(KARI)


async def test_nothing_goes_unanswered(harness: Harness) -> None:
    await harness.say(KARI, "")  # a sticker or photo arrives without text
    empty = harness.transport.sent[-1].message
    assert "Jeg forsto ikke den meldingen." in empty.text
    assert [b.action for b in empty.buttons] == ["help", "status"]
    await harness.say(KARI, action="teleport:now")  # a button Kompis no longer has
    assert "Jeg forsto ikke «teleport»" in harness.last(KARI)
    for stranger, kwargs in (
        ("s1", {"text": "/teleport"}),
        ("s2", {"text": ""}),
        ("s3", {"action": "status"}),
    ):
        await harness.app.handle(Inbound("memory", stranger, stranger, **kwargs))
        assert "Jeg kjenner deg ikke ennå" in harness.last(stranger)
