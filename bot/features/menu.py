"""The command menu a platform shows (Telegram's ``/`` list): command words that work in
every language, with a description translated per language."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.text import LOCALES
from bot.rendering.i18n import N_

MENU: tuple[tuple[str, str], ...] = (
    ("status", N_("What is due, and what you have done")),
    ("reflect", N_("Answer the next reflection question")),
    ("done", N_("Tick off a task")),
    ("survey", N_("Answer the open self-assessment")),
    ("quiz", N_("Take the open quiz")),
    ("labs", N_("Learning labs to choose from")),
    ("snooze", N_("Reminders wait until later")),
    ("pause", N_("No reminders until a date")),
    ("resume", N_("Reminders again from now")),
    ("buddy", N_("Write to your learning buddy")),
    ("language", N_("Choose your language")),
    ("help", N_("What Kompis can do")),
)


def menus(gettext: Callable[[str, str], str], default: str) -> dict[str, list[tuple[str, str]]]:
    """One menu per locale, plus the default (key ``""``) in ``default``'s language."""
    found = {
        locale: [(command, gettext(locale, text)) for command, text in MENU] for locale in LOCALES
    }
    found[""] = found[default]
    return found
