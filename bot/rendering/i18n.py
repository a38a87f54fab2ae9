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


_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "se": "sv"}


def negotiate(preferred: str | None, default: str) -> str:
    """Map a platform's language tag (``nb-NO``, ``no``, ``sv_FI``, ``en-US``) to one of ours.

    Unknown or missing languages fall back to ``default`` (the cohort's locale).
    """
    if not preferred:
        return default
    tag = preferred.strip().replace("_", "-").lower()
    base = tag.split("-")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    found = negotiate_locale([tag, base], list(LOCALES), sep="-")
    return found or default


def language_name(locale: str) -> str:
    """The language's own name for itself, e.g. ``norsk bokmål``, ``svenska``."""
    return Locale.parse(locale).get_display_name(locale) or locale
