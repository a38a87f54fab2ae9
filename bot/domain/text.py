"""Localised text as it appears in content and schedule files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import BeforeValidator

#: The interface and content languages Kompis knows, in fallback order after the person's own.
LOCALES: tuple[str, ...] = ("nb", "nn", "sv", "en")
FALLBACK_LOCALE = "en"

#: Text keyed by locale code, e.g. ``{"nb": "Forarbeid", "sv": "Förarbete"}``.
LocalText = dict[str, str]


def _label_from_str(value: object) -> object:
    """A plain string in a schedule (a place name, say) means the same text in every locale."""
    if isinstance(value, str):
        return {locale: value for locale in LOCALES}
    return value


#: Like LocalText, but a plain string is accepted and used for every locale.
Label = Annotated[dict[str, str], BeforeValidator(_label_from_str)]


def language_for(wanted: str, offered: Sequence[str], default: str) -> str:
    """The one language a person is written to in a programme that offers ``offered``.

    The rule (so that no message mixes languages): the person's own language if the programme
    has it; else its sibling (nynorsk <-> bokmål) if the programme has that; else the
    programme's default language. Interface text and content are then both rendered in the
    result, so a nynorsk reader of a programme without nynorsk gets all of a message in bokmål,
    never nynorsk around bokmål content. `kompis check` names the people this applies to.
    """
    if wanted in offered:
        return wanted
    sibling = {"nb": "nn", "nn": "nb"}.get(wanted)
    if sibling is not None and sibling in offered:
        return sibling
    if default in offered or not offered:
        return default
    return offered[0]


def pick(text: LocalText, locale: str, default_locale: str | None = None) -> str:
    """Return the text in ``locale``, else nb<->nn, else the default, else English, else any.

    Callers render in ``language_for(...)``, a language the programme has, and `kompis check`
    requires every text in every language the programme lists, so for content the first
    branch is the one taken; the fallbacks only serve texts outside a programme.
    """
    if locale in text:
        return text[locale]
    sibling = {"nb": "nn", "nn": "nb"}.get(locale)
    for candidate in (sibling, default_locale, FALLBACK_LOCALE):
        if candidate and candidate in text:
            return text[candidate]
    return next(iter(text.values()), "")
