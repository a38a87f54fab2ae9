"""Every template the reminders half added renders in nb, nn, sv and en, with no English left
in the Nordic languages."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.messages import Outgoing
from bot.rendering.renderer import Renderer

STAGE = {"nb": "Forarbeid", "nn": "Førearbeid", "sv": "Förarbete", "en": "Pre-work"}
MODULE = {"nb": "Kom i gang", "nn": "Kom i gang", "sv": "Kom igång", "en": "Getting started"}

CASES: dict[str, dict[str, Any]] = {
    "missed": {
        "tz": "Europe/Oslo",
        "items": [
            {"kind": "stage_open", "stage": STAGE, "module": MODULE, "due": None},
            {"kind": "deadline", "stage": STAGE, "module": MODULE, "due": "2027-02-05"},
            {"kind": "gathering_eve", "module": MODULE, "date": "2027-02-09", "stage": None},
            {"kind": "event_eve", "title": {"en": "Meeting"}, "date": "2027-03-09"},
        ],
    },
    "daily": {"late": True, "parts": [...]},  # filled in below: one part of every kind
    "snooze_choose": {"text": "bad"},
    "snoozed": {"day": "2027-01-12", "at": "09:00"},
    "paused": {"day": "2027-08-02"},
    "pause_date": {"problem": "unreadable", "text": "32.13."},
    "resumed": {"was_off": True},
}
ACT = {
    "ref": "m/s/a",
    "kind": "reflection",
    "title": STAGE,
    "body": STAGE,
    "minutes": 10,
    "url": "https://example.org/film",
    "done": False,
    "tracked": True,
}
RESOURCE = {**ACT, "kind": "resource", "tracked": False}
STAGE_PART = {
    "module": MODULE,
    "stage": STAGE,
    "summary": STAGE,
    "opens": "2027-01-11",
    "due": "2027-02-05",
    "activities": [ACT, {**ACT, "kind": "group_task", "done": True}, RESOURCE],
    "first_reflection": True,
}
GATHERING = {
    "module": MODULE,
    "date": "2027-02-09",
    "start": "09:00",
    "end": "15:00",
    "place": STAGE,
    "pre_work": True,
}
#: One part of every kind, in every wording a deadline can take.
PARTS: list[dict[str, Any]] = [
    {"template": "gathering_eve", **GATHERING},
    {
        "template": "event_eve",
        "title": STAGE,
        "date": "2027-01-07",
        "start": "13:00",
        "end": None,
        "place": STAGE,
        "event_kind": "other",
    },
    *(
        {"template": "stage_due", **STAGE_PART, "kind": kind, "days_left": days}
        for kind, days in (("due", 0), ("before_due", 1), ("before_due", 3), ("overdue", -2))
    ),
    {"template": "stage_open", **STAGE_PART, "kind": "stage_open", "days_left": 25},
    {"template": "stage_info", **STAGE_PART, "activities": [RESOURCE], "gathering": GATHERING},
    {"template": "labs_invite", "labs": STAGE, "max": 2, "due": "2027-11-26"},
    {
        "template": "digest",
        "organisation": "Tromsø kommune",
        "total": 3,
        "stages": [{"stage": STAGE, "module": MODULE, "due": "2027-02-05"}],
        "leaders": [{"name": "Kari Nordvik", "done": 1}, {"name": "Ola Bakken", "done": 3}],
        "unreachable": ["Per Test"],
        "quizzes": [{"title": STAGE, "taken": 1, "leaders": 2}],
    },
]
CASES["daily"]["parts"] = PARTS
CASES["snoozed_stage"] = {"day": "2027-01-12", "at": "09:00"}
ENGLISH = ("reminder", "deadline", "tomorrow", "write ", "leader", "until", " again")


@pytest.mark.parametrize("locale", ["nb", "nn", "sv", "en"])
@pytest.mark.parametrize("template", sorted(CASES))
def test_new_templates_render(template: str, locale: str) -> None:
    text = Renderer().render(Outgoing(1, template, CASES[template]), locale).text
    assert text.strip()
    assert "%(" not in text
    if locale != "en":
        lowered = text.lower()
        assert not [w for w in ENGLISH if w in lowered], text


@pytest.mark.parametrize("problem", ["missing", "unreadable", "past", "far"])
def test_pause_date_problems_render(problem: str) -> None:
    text = (
        Renderer().render(Outgoing(1, "pause_date", {"problem": problem, "text": "x"}), "nn").text
    )
    assert "pause 3.8." in text


def test_help_lists_the_reminder_commands() -> None:
    renderer = Renderer()
    sv = renderer.render(Outgoing(1, "help", {"name": "Anna"}), "sv").text
    assert "- skjut upp:" in sv and "- pausa:" in sv and "- fortsätt:" in sv
    nn = renderer.render(Outgoing(1, "help", {"name": "Siri"}), "nn").text
    assert "- utset:" in nn and "- fortset:" in nn
