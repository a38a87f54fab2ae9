"""A person's data as one JSON document (GDPR access, ``mydata``): grouped by what it is,
readable, and without Kompis's internal secrets.

The rows come from the storage walk, table by table; a table Kompis does not have a
readable name for keeps its own name, so new features' data shows up without a change here.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

FORMAT = 1
#: table -> the section it is shown under
SECTIONS: dict[str, str] = {
    "person": "person",
    "identity": "chat_accounts",
    "membership": "memberships",
    "membership_role": "roles",
    "completion": "progress",
    "reflection": "reflections",
    "survey_answer": "self_assessments",
    "lab_choice": "lab_choices",
    "outbox": "messages_to_you",
    "conversation": "waiting_for_your_answer",
    "button_action": "buttons_sent_to_you",
    "invite": "invitations",
    "answer_message": "messages_that_answered",
    "buddy_member": "buddy_groups",
}
#: columns never shown: hashes of invitation links and codes, a worker's claim on a message
SECRET = re.compile(r"(hash|token|secret|password|claimed_by)", re.IGNORECASE)
#: a file sent with a message (an earlier export, say) is named, not repeated
FILE_OMITTED = "(the file itself is not repeated here)"


def section(table: str) -> str:
    return SECTIONS.get(table, table)


def document(
    person_id: int, tables: dict[str, list[dict[str, Any]]], exported_at: datetime
) -> dict[str, Any]:
    """The export: ``about`` (when, what) and then one section per table, each a list of
    rows (``person`` is one object)."""
    found: dict[str, Any] = {
        "about": {
            "what": "Everything Kompis stores about you",
            "person_id": person_id,
            "exported_at": exported_at.isoformat(),
            "format": FORMAT,
        }
    }
    for table in sorted(tables, key=lambda name: (name != "person", section(name))):
        rows = [_row(row) for row in tables[table]]
        name = section(table)
        if table == "person" and len(rows) == 1:
            found[name] = rows[0]
        else:
            found.setdefault(name, []).extend(rows)
    return found


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(value) for key, value in row.items() if not SECRET.search(key)}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return _clean(json.loads(value))
        except ValueError:
            return value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _clean(value: Any) -> Any:
    """Stored JSON (a message's parameters, extras) without secrets or repeated files."""
    if isinstance(value, dict):
        found = {k: _clean(v) for k, v in value.items() if not SECRET.search(str(k))}
        if isinstance(found.get("attachment"), dict) and "content" in found["attachment"]:
            found["attachment"] = {**found["attachment"], "content": FILE_OMITTED}
        return found
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
