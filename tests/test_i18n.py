"""Every template renders in every locale; every msgid is translated; locales negotiate."""

from __future__ import annotations

import re
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.domain.messages import Button, Outgoing
from bot.domain.text import LOCALES
from bot.rendering.i18n import default_locales_dir, negotiate
from bot.rendering.renderer import Renderer
from tests.bank_cases import CASES as BANK_CASES
from tests.buddy_cases import BUDDY_CASES
from tests.quiz_support import TEMPLATE_PARAMS as QUIZ_CASES
from tests.test_reminder_templates import CASES as REMINDER_CASES

LT = {"nb": "Forarbeid", "nn": "Førearbeid", "sv": "Förarbete", "en": "Pre-work"}
ACT = {
    "ref": "m/s/a",
    "kind": "reflection",
    "title": LT,
    "body": LT,
    "minutes": 10,
    "url": None,
    "done": False,
    "tracked": True,
}
STAGE = {
    "module": LT,
    "stage": LT,
    "summary": LT,
    "opens": "2027-01-11",
    "due": "2027-02-05",
    "activities": [ACT, {**ACT, "kind": "group_task", "done": True}],
    "overdue": True,
}
#: Parameters good enough to render every template, the richest variant of each.
PARAMS: dict[str, dict[str, Any]] = {
    "help": {"name": "Kari", "labs": True, "report": True},
    "labs_list": {
        "labs": LT,
        "max": 2,
        "count": 1,
        "page": 1,
        "pages": 2,
        "first": 1,
        "last": 2,
        "total": 4,
        "groups": [
            {
                "kind": "leading_digitally",
                "labs": [{"number": 1, "title": LT, "summary": LT, "chosen": True}],
            },
            {
                "kind": "methods",
                "labs": [{"number": 2, "title": LT, "summary": LT, "chosen": False}],
            },
        ],
    },
    "labs_full": {"max": 2, "chosen": [LT, LT]},
    "labs_changed": {"chosen": [LT], "max": 2, "due": "2027-11-26"},
    "labs_invite": {"labs": LT, "max": 2, "due": "2027-11-26", "late": False},
    "labs_unknown": {"given": "x"},
    "survey_prompt": {
        "title": LT,
        "prompt": LT,
        "scale": [{"value": 1, "label": LT}, {"value": 2, "label": LT}],
        "current": {"value": 2, "label": LT},
    },
    "survey_saved": {
        "title": LT,
        "value": 2,
        "label": LT,
        "steps": 5,
        "before": {"value": 4, "label": LT},
    },
    "survey_bad_step": {"given": "9", "steps": 5},
    "stage_open": {**STAGE, "late": True, "kind": "stage_open", "days_left": 25},
    "stage_due": {**STAGE, "late": False, "kind": "before_due", "days_left": 7},
    "gathering_eve": {
        "late": False,
        "module": LT,
        "date": "2027-02-09",
        "start": "09:00",
        "end": "15:00",
        "place": LT,
    },
    "event_eve": {
        "late": False,
        "title": LT,
        "date": "2027-01-07",
        "start": "13:00",
        "end": "14:00",
        "place": LT,
    },
    "status": {
        "today": "2027-01-11",
        "stages": [{**STAGE, "tracked_count": 2}],
        "overdue": ["m/s"],
        "next": STAGE,
        "paused_until": "2027-07-01",
        "snoozed_day": "2027-01-12",
        "snoozed_at": "09:00",
        "next_reminder": {"day": "2027-01-18", "at": "09:00"},
    },
    "reflection_prompt": {"module": LT, "stage": LT, "title": LT, "prompt": LT},
    "reflection_saved": {
        "title": LT,
        "updated": False,
        "chars": 5,
        "more": True,
        "visibility": "buddy",
    },
    "reflection_too_long": {"limit": 4000, "length": 5000},
    "done_ok": {"title": LT, "stage": LT, "module": LT, "team": True},
    "report": {
        "organisation": "Tromsø kommune",
        "round": LT,
        "stages": [
            {
                "module": LT,
                "stage": LT,
                "done": 1,
                "total": 4,
                "percent": 25,
                "organisations": [{"name": "Alta kommune", "done": 1, "total": 3, "percent": 33}],
            }
        ],
        "not_started": ["Per Olsen"],
        "not_started_count": 1,
        "nobody": False,
    },
    "done_already": {"title": LT, "stage": LT, "module": LT},
    "done_is_reflection": {"title": LT},
    "language_choose": {"current": "nb"},
    "language_changed": {"language": "sv"},
    "language_unknown": {"given": "xx", "choices": list(LOCALES)},
    "unknown_command": {"word": "teleport"},
    "reflection_confirm": {"answer": "👍", "title": LT},
    "skipped": {"reflection": True},
    "language_which": {"given": "norsk"},
    "no_button": {"number": "7"},
    "welcome": {"name": "Kari", "programme": LT},
    "group_private": {"link": "https://t.me/KompisBot"},
    "channel_choose": {"current": "Slack"},
    "channel_changed": {"platform": "Telegram"},
    "channel_unknown": {"choices": ["Slack", "Telegram"]},
    "broadcast": {
        "texts": LT,
        "correction": True,
        "rsvp": True,
        "answer": "maybe",
        "open": True,
        "coordinator": True,
    },
    "broadcast_ics": {"correction": True},
    "broadcast_write": {"count": 3},
    "broadcast_preview": {"count": 3, "unreachable": 1, "text": "Samling i morgen"},
    "broadcast_sent": {"count": 3, "id": 7},
}
PARAMS |= REMINDER_CASES
PARAMS |= QUIZ_CASES
PARAMS |= BANK_CASES
PARAMS |= BUDDY_CASES
ENGLISH_ONLY = re.compile(r"\b(the|you|your|is|and|with|what|deadline|write)\b", re.I)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_renders_in_every_locale(renderer: Renderer, locale: str) -> None:
    for name in renderer.template_names():
        rendered = renderer.render(Outgoing(1, name, PARAMS.get(name, {})), locale)
        assert rendered.text.strip(), name
        assert "%(" not in rendered.text, name
        assert "\n\n\n" not in rendered.text, f"{name} in {locale} has a double blank line"
        if locale != "en":
            leaked = ENGLISH_ONLY.findall(rendered.text)
            assert not leaked, f"{name} in {locale} has English words {leaked}: {rendered.text}"


def test_a_status_with_only_a_stage_to_read_has_no_double_blank_line(renderer: Renderer) -> None:
    """A self-study stage has nothing to tick off: its title stands alone, one blank line
    below the heading, as every paragraph does."""
    params = {**PARAMS["status"], "stages": [{**STAGE, "tracked_count": 0}], "overdue": []}
    params |= {"paused_until": None, "snoozed_day": None}
    for locale in ("nb", "nn", "sv", "en"):
        text = renderer.render(Outgoing(1, "status", params), locale).text
        assert "\n\n\n" not in text, text


def test_every_template_has_test_parameters(renderer: Renderer) -> None:
    simple = {n for n in renderer.template_names() if n not in PARAMS}
    for name in simple:  # templates without parameters must render with none
        renderer.render(Outgoing(1, name, {}), "nb")


@pytest.mark.parametrize("locale", ["nb", "nn", "sv"])
def test_every_msgid_is_translated(locale: str) -> None:
    path = default_locales_dir() / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalogues_cover_every_msgid_in_code() -> None:
    """A msgid used in a template or N_() but absent from the catalogue would show English."""
    from babel.messages.frontend import CommandLineInterface

    pot = default_locales_dir() / "test-extract.pot"
    try:
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                "pyproject.toml",
                "-k",
                "N_",
                "--no-location",
                "--omit-header",
                "-o",
                str(pot),
                ".",
            ]
        )
        with pot.open("rb") as handle:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    finally:
        pot.unlink(missing_ok=True)
    with (default_locales_dir() / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert wanted - have == set()


def test_button_labels_are_translated_with_their_arguments(renderer: Renderer) -> None:
    item = Outgoing(1, "done_choose", {}, (Button("Done: %(title)s", "done:x", {"title": LT}),))
    assert renderer.render(item, "sv").buttons[0].label == "Klar: Förarbete"
    assert renderer.render(item, "nn").buttons[0].label == "Ferdig: Førearbeid"


def test_dates_are_local_and_cldr_formatted(renderer: Renderer) -> None:
    part = {**STAGE, "template": "stage_open", "kind": "stage_open", "first_reflection": True}
    daily = Outgoing(1, "daily", {"late": False, "parts": [part]})
    assert "fredag 5. februar 2027" in renderer.render(daily, "nb").text
    assert "fredag 5 februari 2027" in renderer.render(daily, "sv").text
    assert "Friday, 5 February 2027" in renderer.render(daily, "en").text  # Nordic order


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nb_NO", "nb"),
        ("nn-NO", "nn"),
        ("sv-FI", "sv"),
        ("sv", "sv"),
        ("en-US", "en"),
        ("de-DE", "nb"),
        (None, "nb"),
        ("", "nb"),
    ],
)
def test_negotiation(tag: str | None, expected: str) -> None:
    assert negotiate(tag, "nb") == expected
