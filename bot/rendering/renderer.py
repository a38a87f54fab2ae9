"""Render outgoing intents: template key + params + recipient locale -> markup text + buttons.

Every value a template prints goes through ``markup.escape`` (Jinja's ``finalize``), so only
the templates' own text can format; a parameter never can."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from bot.domain.markup import escape
from bot.domain.messages import Button, Outgoing, Rendered, RenderedChoice
from bot.domain.text import LOCALES, pick
from bot.rendering.i18n import default_locales_dir, language_name, load_translations

TEMPLATES = Path(__file__).parent / "templates"


#: two or more blank lines in a row (whitespace-only lines count as blank)
BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


class UnknownTemplate(LookupError):
    pass


class Renderer:
    """One Jinja2 environment per locale, each with that locale's translations installed."""

    def __init__(self, locales_dir: Path | None = None) -> None:
        self.locales_dir = locales_dir or default_locales_dir()
        self._envs = {locale: self._build(locale) for locale in LOCALES}

    def _build(self, locale: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            extensions=["jinja2.ext.i18n"],
            undefined=StrictUndefined,
            autoescape=False,
            # every {{ value }} (translations included) is literal text in the markup
            finalize=lambda value: escape(str(value)),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        translations = load_translations(self.locales_dir, locale)
        # English is the fallback for Nordic readers: their formats (24-hour clock, the day
        # before the month), British spelling of dates
        fmt_locale = "en_GB" if locale == "en" else locale
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        env.filters.update(
            loc=lambda text: pick(text, locale) if isinstance(text, dict) else text,
            date=lambda value, fmt="full": format_date(_as_date(value), fmt, locale=fmt_locale),
            time=lambda value, fmt="short": format_time(_as_time(value), fmt, locale=fmt_locale),
            datetime=lambda value, tz, fmt="short": format_datetime(
                _as_datetime(value), fmt, tzinfo=ZoneInfo(tz), locale=fmt_locale
            ),
            language=language_name,
            number=lambda value: format_decimal(value, locale=locale),  # 10 000, not 10000
            first_name=lambda name: (str(name).split() or [name])[0],  # "Hei, Kari!"
        )
        env.globals["locale"] = locale
        return env

    def template_names(self) -> list[str]:
        return sorted(
            p.name.removesuffix(".txt.j2")
            for p in TEMPLATES.glob("*.txt.j2")
            if not p.name.startswith("_")
        )

    def render(self, item: Outgoing, locale: str) -> Rendered:
        env = self._envs.get(locale) or self._envs["en"]
        try:
            template = env.get_template(f"{item.template}.txt.j2")
        except TemplateNotFound as exc:
            raise UnknownTemplate(item.template) from exc
        # One blank line between paragraphs, however a template's optional blocks fall.
        text = BLANK_LINES.sub("\n\n", template.render(**item.params)).strip()
        choice = item.choice
        return Rendered(
            text=text,
            buttons=tuple(self._button(b, locale) for b in item.buttons),
            choice=RenderedChoice(
                _text(choice.question, locale),
                tuple(_text(option, locale) for option in choice.options),
                choice.action,
                choice.correct,
                _text(choice.explanation, locale),
            )
            if choice
            else None,
            attachment=item.attachment,
        )

    def _button(self, button: Button, locale: str) -> Button:
        label = self.gettext(locale, button.label)
        if button.args:
            label %= {
                k: pick(v, locale) if isinstance(v, dict) else v for k, v in button.args.items()
            }
        return Button(label, button.action)

    def gettext(self, locale: str, message: str) -> str:
        return load_translations(self.locales_dir, locale).gettext(message)


def _text(value: Any, locale: str) -> str:
    """A plain string, or a LocalText dict in ``locale``."""
    return pick(value, locale) if isinstance(value, dict) else str(value)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
