"""Localised text as it appears in content and schedule files."""

from __future__ import annotations

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


def pick(text: LocalText, locale: str, default_locale: str | None = None) -> str:
    """Return the text in ``locale``, else nb<->nn, else the default, else English, else any."""
    if locale in text:
        return text[locale]
    sibling = {"nb": "nn", "nn": "nb"}.get(locale)
    for candidate in (sibling, default_locale, FALLBACK_LOCALE):
        if candidate and candidate in text:
            return text[candidate]
    return next(iter(text.values()), "")
