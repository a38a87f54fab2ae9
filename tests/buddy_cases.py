"""Parameters that render every buddy template (``tests/test_i18n.py`` renders them all)."""

from __future__ import annotations

from typing import Any

LT = {"nb": "Organisasjon", "nn": "Organisasjon", "sv": "Organisation", "en": "Organisation"}
OTHER = {"name": "Anna Lindqvist", "organisation": "Kiruna kommun", "role": "coordinator"}

BUDDY_CASES: dict[str, dict[str, Any]] = {
    "buddy_intro": {
        "others": [OTHER, {**OTHER, "name": "Siri Haugen", "role": "leader"}],
        "module": LT,
        "starter": LT,
    },
    "buddy_message": {"name": "Kari Nordvik", "text": "Hei! **ikke fet** [lenke](x)"},
    "buddy_sent": {"names": ["Anna", "Siri"], "unreachable": ["Johan"]},
    "buddy_write_prompt": {"names": ["Anna", "Siri"]},
    "buddy_none": {},
    "buddy_empty": {},
    "buddy_too_long": {"limit": 4000, "length": 10000},
    "buddy_thread_closed": {},
    "buddy_undelivered": {"name": "Anna"},
    "buddy_checkin": {"names": ["Anna", "Siri"]},
    "buddy_checkin_thanks": {"answer": "new_buddy"},
    "buddy_checkin_unknown": {},
    "buddy_left": {"still": ["Siri"]},
    "media_refused": {"buddy": True},
    "buddy_off_confirm": {"names": ["Anna", "Siri"]},
    "buddy_off_done": {"names": ["Anna"]},
    "buddy_off_kept": {"names": ["Anna"]},
    "buddy_off_already": {},
    "buddy_unpaired": {},
    "buddy_on_already": {"names": ["Anna"]},
    "buddy_on_done": {"now": "next", "next": "2027-04-12"},
    "buddy_stepped_out": {"still": [], "news": "new"},
    "buddy_left_out": {"reason": "paused", "module": LT, "now": "next", "next": "2027-04-12"},
}
