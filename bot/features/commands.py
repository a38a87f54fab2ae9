"""Command words people type, in every language, and how to read them.

A command is the first word of a message, with or without a leading ``/`` (Telegram),
case-insensitive and forgiving of phone typing (``Status!``, ``status?``, ``Språk: svenska``);
Slack's ``/kompis status`` arrives here as ``status``. Buttons carry the same command as
``name:argument`` in their action.

A command is *exact* when the whole message is the command: its word alone, or its word with
arguments it takes and nothing else (``språk svenska``, ``utsett 3``, ``pause 2.8.``). While
Kompis waits for an answer, only an exact command runs; anything else is the answer, so
"Klar och tydlig kommunikation ..." is an answer, not ``done``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.features.control import parse_day, snooze_days
from bot.rendering.i18n import language_choice

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
    # "hopp over" (nb, nn) and "hoppa över" (sv) arrive as the word with "over"/"över".
    "skip": ("skip", "hopp", "hoppa", "avbryt", "cancel"),
    "channel": ("channel", "kanal"),
    "quiz": ("quiz", "quizz", "kviss", "kvis"),
    "bank": ("bank", "reflektionsbank", "refleksjonsbank", "reflectionbank", "digilog"),
    "report": ("report", "rapport", "framdrift", "fremdrift"),
    "mydata": (
        "mydata",
        "my-data",
        "mine-data",
        "minedata",
        "mindata",
        "min-data",
        "innsyn",
        "registerutdrag",
    ),
    "forget": ("forget", "forget-me", "glem", "glem-meg", "gløym", "gloym", "glöm", "glom"),
    # the bot is called Kompis too: "kompis status" is the command, see ``parse_text``
    "buddy": ("buddy", "kompis", "læringsvenn", "læringsven", "lärkompis", "larkompis"),
    # an announcement to part of the cohort (organisers, coordinators)
    "broadcast": ("broadcast", "kunngjøring", "kunngjoring", "kunngjering", "utskick", "utskicket"),
}

#: ``buddy <word>`` alone: opt out of having a learning buddy, or back in (``kompis av``,
#: ``kompis på``); any other text after ``buddy`` is a message for the buddy
BUDDY_OFF = ("off", "stop", "av", "stopp", "slutt", "sluta")
BUDDY_ON = ("on", "på", "pa", "igjen", "igen", "tilbake", "tillbaka")

_LOOKUP = {word: name for name, words in WORDS.items() for word in words}
#: What phones and hurried thumbs add after a word.
_TRAILING = ".,!?:;…"
_REF = re.compile(r"^[\w.-]+/[\w.-]+/[\w.-]+$")
_SOME_DAY = date(2027, 1, 1)  # parse_day needs a "today"; validity does not depend on it


def _nothing(argument: str) -> bool:
    return not argument


def _ref_or_nothing(argument: str) -> bool:
    return not argument or bool(_REF.match(argument))


def _language(argument: str) -> bool:
    # "svenska", "norsk bokmål"; one unknown word is still meant as a language ("klingon")
    return len(argument.split()) <= 1 or bool(language_choice(argument))


def _step(argument: str) -> bool:
    return not argument or argument.isdigit()


def _lab(argument: str) -> bool:
    return len(argument.split()) <= 1


def _snooze(argument: str) -> bool:
    return snooze_days(argument) is not None and len(argument.split()) <= 3


def _pause(argument: str) -> bool:
    text = argument
    for filler in ("til ", "till ", "until ", "to "):
        if text.lower().startswith(filler):
            text = text[len(filler) :]
    return parse_day(text, _SOME_DAY) is not None


def _quiz_word(argument: str) -> bool:
    # "quiz igjen", "quiz league": see bot.features.quiz AGAIN_WORDS and LEAGUE_WORDS
    from bot.features.quiz import AGAIN_WORDS, LEAGUE_WORDS

    return argument.lower() in AGAIN_WORDS | LEAGUE_WORDS


def _target(argument: str) -> bool:
    # ``broadcast org:alta``; more words are not a command but free text
    return len(argument.split()) <= 1


def _skip(argument: str) -> bool:
    return argument.lower() in ("", "over", "över", "it", "this")


#: command -> whether an argument is one it takes (so the message is exactly the command).
ARGUMENTS: dict[str, Callable[[str], bool]] = {
    "help": _nothing,
    "status": _nothing,
    "reflect": _ref_or_nothing,
    "done": _ref_or_nothing,
    "language": _language,
    "survey": _step,
    "labs": _lab,
    "snooze": _snooze,
    "pause": _pause,
    "resume": _nothing,
    "skip": _skip,
    "quiz": lambda argument: _ref_or_nothing(argument) or _quiz_word(argument),
    "bank": _lab,  # nothing, or one word: mine, buddy, a module, a prompt, an entry number
    "report": _nothing,
    "mydata": _nothing,
    "forget": _nothing,
    # a message for a buddy is never "exactly" the command: while a reflection waits, an
    # answer that starts with "Kompis ..." stays the answer
    "buddy": _nothing,
    "broadcast": _target,
}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str
    #: the whole message is this command (see the module docstring); buttons always are
    exact: bool = True


def parse_text(text: str) -> Command | None:
    """The command a message starts with, or None when it is free text."""
    stripped = text.strip()
    if not stripped:
        return None
    first, _, rest = stripped.partition(" ")
    if "\n" in first:  # "kompis" on a line of its own, the message below it
        first, _, more = first.partition("\n")
        rest = f"{more} {rest}".strip() if rest else more
    word = _word(first)
    name = _LOOKUP.get(word)
    if name is None:
        return None if not first.startswith("/") else Command("unknown", word)
    if name == "buddy":
        # "Kompis, status?" names the bot: a command after it is that command
        inner = parse_text(rest.lstrip(",:;!. "))
        if inner is not None and inner.exact and inner.name not in ("buddy", "unknown"):
            return inner
        switch = _word(rest.strip()) if len(rest.split()) == 1 else ""
        if switch in BUDDY_OFF or switch in BUDDY_ON:
            return Command("buddy_off" if switch in BUDDY_OFF else "buddy_on", "")
        return Command(name, rest.strip(), exact=not rest.strip())
    argument = rest.strip().rstrip("!?…").strip()
    return Command(name, argument, exact=ARGUMENTS.get(name, _nothing)(argument))


def _word(first: str) -> str:
    """``/Status@KompisBot`` -> ``status``; ``Status!`` -> ``status``; ``?`` stays ``?``."""
    word = first.lstrip("/").split("@", 1)[0].lower()  # Telegram groups: /status@KompisBot
    return word.rstrip(_TRAILING) or word


def parse_action(action: str) -> Command:
    name, _, argument = action.partition(":")
    return Command(name, argument)
