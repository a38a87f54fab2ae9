"""``buddy`` / ``kompis`` in every language: the rest of the message is for the buddy, unless
it is exactly a command after the bot's name; other commands are unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.features.commands import WORDS, parse_text

BUDDY_WORDS = ("buddy", "kompis", "Kompis", "/kompis", "læringsvenn", "lärkompis", "KOMPIS:")


@given(word=st.sampled_from(BUDDY_WORDS), text=st.text(min_size=1, max_size=300))
def test_the_rest_of_the_message_is_for_the_buddy(word: str, text: str) -> None:
    command = parse_text(f"{word} {text}")
    assert command is not None
    inner = parse_text(text.lstrip(",:;!. "))
    if inner is not None and inner.exact and inner.name not in ("buddy", "unknown"):
        assert command == inner  # "Kompis, status?" is the status command
    else:
        assert command.name == "buddy" and command.argument == text.strip()
        assert command.exact == (not text.strip())


@pytest.mark.parametrize(
    ("text", "name", "argument"),
    [
        ("Kompis, status?", "status", ""),
        ("kompis hjelp", "help", ""),
        ("kompis språk sv", "language", "sv"),
        ("kompis Hei! Status på oppgaven?", "buddy", "Hei! Status på oppgaven?"),
        ("kompis\nHei Anna,\nvi ses.", "buddy", "Hei Anna,\nvi ses."),
        ("Kompis", "buddy", ""),
    ],
)
def test_examples(text: str, name: str, argument: str) -> None:
    command = parse_text(text)
    assert command is not None and (command.name, command.argument) == (name, argument)


def test_a_message_for_the_buddy_is_never_exactly_a_command() -> None:
    """While a reflection waits, an answer starting with «Kompis» stays the answer."""
    command = parse_text("Kompis er et godt ord for det vi gjør")
    assert command is not None and command.name == "buddy" and not command.exact


def test_no_other_command_uses_the_buddy_words() -> None:
    others = {w for name, words in WORDS.items() if name != "buddy" for w in words}
    assert not others & set(WORDS["buddy"])
