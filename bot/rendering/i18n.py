"""Message catalogues: `.po` files in `locales/`, compiled in memory at start-up.

Compiling at start (rather than shipping `.mo` files) means a translator's edit takes effect
on the next start and a stale binary catalogue can never disagree with its source.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.domain.text import LOCALES

DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, in the recipient's locale."""
    return message


def default_locales_dir() -> Path:
    """`locales/` at the project root (beside the `bot` package)."""
    return Path(__file__).resolve().parents[2] / "locales"


def read_catalog(locales_dir: Path, locale: str) -> Catalog:
    path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@lru_cache(maxsize=16)
def load_translations(locales_dir: Path, locale: str) -> Translations:
    """Compile ``locale``'s `.po` into a Translations object (English: identity)."""
    path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return Translations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(locales_dir, locale), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


#: Platform language codes that are ours under another name. ``se`` is Northern Sámi, not
#: Swedish (``sv``): Kompis does not write Sámi yet, so ``se`` falls back like any other
#: language it does not know.
_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "eng": "en"}


def supported(preferred: str | None) -> str | None:
    """One of our locales for a platform's language tag (``nb-NO``, ``no``, ``sv_FI``,
    ``en-US``), or None when Kompis does not write that language (``se``, ``de``, ``fi``)."""
    if not preferred:
        return None
    tag = preferred.strip().replace("_", "-").lower()
    base = tag.split("-")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    return negotiate_locale([tag, base], list(LOCALES), sep="-")


def negotiate(preferred: str | None, default: str) -> str:
    """Our locale for ``preferred``; a missing, unknown or unsupported language falls back to
    ``default`` (the cohort's locale)."""
    return supported(preferred) or default


def _language_words() -> dict[str, tuple[str, ...]]:
    """Every way to name one of our languages -> the locales it may mean. Names come from
    CLDR in each of our languages (``svenska``, ``nynorsk``, ``English``, ``norskt bokmål``),
    plus their last word (``bokmål``) and spellings without å/ä; ``norsk``, ``norska`` and
    ``Norwegian`` mean bokmål or nynorsk, so they ask which."""
    words: dict[str, set[str]] = {code: {code} for code in LOCALES}
    for display in LOCALES:
        names = Locale.parse(display).languages
        for code in LOCALES:
            name = names.get(code, "").lower()
            words[name] = {code}
            words[name.split()[-1]] = {code}
        words[names["no"].lower()] = {"nb", "nn"}
    for word, codes in list(words.items()):
        words.setdefault(word.replace("å", "a").replace("ä", "a"), codes)
    words |= {"no": {"nb"}, "nob": {"nb"}, "nno": {"nn"}, "norsk": {"nb", "nn"}}
    return {word: tuple(c for c in LOCALES if c in codes) for word, codes in words.items() if word}


_LANGUAGE_WORDS = _language_words()


def language_choice(text: str) -> tuple[str, ...]:
    """The locales a typed language name or code may mean: one (switch to it), several
    (``norsk``: ask which), or none (unknown)."""
    word = text.strip().strip(".,!?:;").lower()
    return _LANGUAGE_WORDS.get(word) or _LANGUAGE_WORDS.get(word.replace("norsk ", ""), ())


def language_name(locale: str) -> str:
    """The language's own name for itself, e.g. ``norsk bokmål``, ``svenska``."""
    return Locale.parse(locale).get_display_name(locale) or locale
