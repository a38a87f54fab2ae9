"""Template parameters for the reflection bank's messages (``tests/test_i18n.py`` renders
every template with them in every locale)."""

from __future__ import annotations

from typing import Any

LT = {"nb": "Din erfaring", "nn": "Di erfaring", "sv": "Din erfarenhet", "en": "Your experience"}
COMMENT = {"who": None, "by_author": True, "mine": False, "text": "Takk!", "day": "2027-01-12"}
ENTRY: dict[str, Any] = {
    "number": 7,
    "title": LT,
    "module": LT,
    "author": "Kari Nordvik",
    "organisation": "Tromsø kommune",
    "mine": False,
    "text": "Vi digitaliserte byggesaker.",
    "visibility": "cohort",
    "hidden": True,
    "reason": "Personopplysninger",
    "count": 2,
    "comments": [COMMENT, {**COMMENT, "who": "Ola Bakken", "by_author": False}],
}
CASES: dict[str, dict[str, Any]] = {
    "bank_list": {
        "what": "module",
        "module": LT,
        "prompt": LT,
        "entries": [ENTRY, {**ENTRY, "author": None, "mine": True, "count": 1}],
        "first": 1,
        "last": 2,
        "total": 5,
    },
    "bank_empty": {"what": "module", "module": LT, "prompt": None},
    "bank_entry": {"entry": {**ENTRY, "mine": True}},
    "bank_consent": {"entry": ENTRY, "changed": True},
    "bank_comment_ask": {"entry": ENTRY},
    "bank_comment_saved": {"entry": ENTRY},
    "bank_comment_new": {"entry": ENTRY, "to_author": False, "by_author": True},
    "bank_buddy_invite": {"entry": ENTRY},
    "bank_flag_thanks": {"entry": ENTRY},
    "bank_flagged": {"entry": ENTRY},
    "bank_hide_ask": {"entry": ENTRY},
    "bank_moderated": {"entry": ENTRY, "hidden": True},
    "bank_moderated_author": {"entry": ENTRY, "hidden": True, "reason": "Personopplysninger"},
    "bank_delete_confirm": {"entry": ENTRY},
    "bank_deleted": {"entry": ENTRY},
    "bank_unknown": {"number": "7"},
    "bank_filter_unknown": {"given": "x"},
    "bank_not_yours": {},
    "bank_not_organiser": {},
    "bank_hidden_no_comment": {"number": 7},
    "bank_comment_empty": {},
    "bank_reason_empty": {},
    "bank_comment_too_long": {"limit": 1000, "length": 10000},
    "bank_home": {"entries": [ENTRY]},
}
