"""A broadcast's text in each language: the organiser's words with its variables filled in
(dates and times in the reader's language, as Babel writes them)."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from babel.dates import format_date, format_time

from bot.domain.broadcast import PLACEHOLDER, BroadcastMessage
from bot.domain.text import LOCALES, pick


def _babel(locale: str) -> str:
    return "en_GB" if locale == "en" else locale  # as the renderer: 24-hour clock


def variable(name: str, value: Any, locale: str) -> str:
    if isinstance(value, date) and name == "date":
        return format_date(value, "full", locale=_babel(locale))
    if isinstance(value, time):
        return format_time(value, "short", locale=_babel(locale))
    if isinstance(value, dict):
        return pick(value, locale)
    return str(value)


def render_texts(
    message: BroadcastMessage, defaults: dict[str, Any] | None = None
) -> dict[str, str]:
    """The text for every locale Kompis writes (a locale the file lacks falls back as every
    message does: nb<->nn, then English, then any), ``defaults`` filling variables the file
    does not set (a gathering's date, time and place)."""
    values = {**(defaults or {}), **message.variables}
    rendered: dict[str, str] = {}
    for locale in LOCALES:

        def fill(found: re.Match[str], locale: str = locale) -> str:
            name = found.group(1)
            return variable(name, values[name], locale) if name in values else found.group(0)

        rendered[locale] = PLACEHOLDER.sub(fill, pick(message.texts, locale))
    return rendered


def fallbacks(message: BroadcastMessage) -> dict[str, str]:
    """Locale -> the locale whose text it gets, for every locale the file lacks."""
    found: dict[str, str] = {}
    for locale in message.missing_locales():
        text = pick(message.texts, locale)
        found[locale] = next(k for k, v in message.texts.items() if v == text)
    return found
