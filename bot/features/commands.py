"""Command words people type, in every language, and how to read them.

A command is the first word of a message, with or without a leading ``/`` (Telegram) and
case-insensitive; Slack's ``/kompis status`` arrives here as ``status``. Buttons carry the same
command as ``name:argument`` in their action.
"""

from __future__ import annotations

from dataclasses import dataclass

#: command -> every word that invokes it (English first; nb, nn, sv after).
WORDS: dict[str, tuple[str, ...]] = {
    "help": ("help", "start", "hjelp", "hjelpe", "hjälp", "hjalp", "?"),
    "status": ("status", "frister", "oversikt", "översikt"),
    "reflect": (
        "reflect",
        "answer",
        "svar",
        "svare",
        "svara",
        "refleksjon",
        "reflektion",
        "reflektera",
    ),
    "done": ("done", "ferdig", "klar", "gjort", "gjord", "färdig"),
    "language": ("language", "lang", "språk", "sprak", "mål"),
    "survey": ("survey", "kartlegging", "kartläggning", "kartlaggning", "enkät", "egenvurdering"),
    "labs": ("labs", "lab", "lärlabb", "larlabb", "labb", "labbar", "læringslab", "laber"),
    "snooze": ("snooze", "later", "utsett", "utset", "seinare", "skjut", "snooza", "senare"),
    "pause": ("pause", "pausa", "ferie", "semester"),
    "resume": ("resume", "fortsett", "fortset", "fortsätt", "fortsatt", "start-igjen"),
    "channel": ("channel", "kanal"),
}

_LOOKUP = {word: name for name, words in WORDS.items() for word in words}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str


def parse_text(text: str) -> Command | None:
    """The command a message starts with, or None when it is free text."""
    stripped = text.strip()
    if not stripped:
        return None
    first, _, rest = stripped.partition(" ")
    word = first.lstrip("/").split("@", 1)[0].lower()  # Telegram groups: /status@KompisBot
    name = _LOOKUP.get(word)
    if name is None:
        return None if not first.startswith("/") else Command("unknown", word)
    return Command(name, rest.strip())


def parse_action(action: str) -> Command:
    name, _, argument = action.partition(":")
    return Command(name, argument)
