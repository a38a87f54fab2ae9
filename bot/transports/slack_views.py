"""Pure builders of Slack views: the modal an **Answer** button opens, and the App Home tab.

Modal titles and button texts are at most 24 characters, a plain-text input 3,000; a modal
or Home holds at most 100 blocks and a section 3,000 characters (platform-facts C2).
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.messages import Rendered, split_text
from bot.transports.slack_convert import MAX_TEXT, blocks

ANSWER_CALLBACK = "kompis-answer"
ANSWER_BLOCK, ANSWER_INPUT = "answer", "text"
#: who may read the answer (the reflection bank): radio buttons, one per visibility
SHARE_BLOCK, SHARE_INPUT = "share", "visibility"
SHARE_CHOICES = ("private", "buddy", "cohort", "anonymous")
MAX_VIEW_BLOCKS = 100
MAX_TITLE = 24
MAX_INPUT = 3000


def _plain(text: str, limit: int) -> dict[str, Any]:
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": short, "emoji": True}


def answer_modal(labels: dict[str, str], channel: str, question: str) -> dict[str, Any]:
    """A modal with one multi-line answer field; ``private_metadata`` keeps the DM channel,
    so the answer counts like a reply there. ``labels``: title, label, submit, close; with
    ``share`` (its label), ``visibility`` (the choice in force), ``ref`` and one label per
    ``SHARE_CHOICES`` entry, also who may read the answer."""
    shown: list[dict[str, Any]] = []
    if question.strip():
        text = question if len(question) <= MAX_TEXT else question[: MAX_TEXT - 1] + "…"
        shown.append({"type": "section", "text": {"type": "plain_text", "text": text}})
    shown.append(
        {
            "type": "input",
            "block_id": ANSWER_BLOCK,
            "label": _plain(labels["label"], 2000),
            "element": {
                "type": "plain_text_input",
                "action_id": ANSWER_INPUT,
                "multiline": True,
                "max_length": MAX_INPUT,
            },
        }
    )
    metadata = {"channel": channel}
    if labels.get("share") and labels.get("ref"):
        shown.append(_share_block(labels))
        metadata["ref"] = labels["ref"]
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK,
        "title": _plain(labels["title"], MAX_TITLE),
        "submit": _plain(labels["submit"], MAX_TITLE),
        "close": _plain(labels["close"], MAX_TITLE),
        "private_metadata": json.dumps(metadata),
        "blocks": shown,
    }


def _share_block(labels: dict[str, str]) -> dict[str, Any]:
    options = [
        {"text": _plain(labels.get(choice, choice), 75), "value": choice}
        for choice in SHARE_CHOICES
    ]
    current = next((o for o in options if o["value"] == labels.get("visibility")), None)
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": SHARE_INPUT,
        "options": options,
    }
    if current is not None:
        element["initial_option"] = current
    return {
        "type": "input",
        "block_id": SHARE_BLOCK,
        "label": _plain(labels["share"], 2000),
        "element": element,
    }


def submitted_share(view: dict[str, Any]) -> tuple[str, str] | None:
    """(activity ref, visibility) chosen in a submitted answer modal, or ``None``."""
    if view.get("callback_id") != ANSWER_CALLBACK:
        return None
    try:
        ref = str(json.loads(view.get("private_metadata") or "{}")["ref"])
    except (ValueError, KeyError, TypeError):
        return None
    values = (view.get("state") or {}).get("values") or {}
    chosen = ((values.get(SHARE_BLOCK) or {}).get(SHARE_INPUT) or {}).get("selected_option")
    value = str((chosen or {}).get("value") or "")
    return (ref, value) if value in SHARE_CHOICES else None


def submitted(view: dict[str, Any]) -> tuple[str, str] | None:
    """(DM channel, answer text) from a submitted answer modal, or ``None``."""
    if view.get("callback_id") != ANSWER_CALLBACK:
        return None
    try:
        channel = str(json.loads(view.get("private_metadata") or "{}")["channel"])
    except (ValueError, KeyError, TypeError):
        return None
    values = (view.get("state") or {}).get("values") or {}
    text = ((values.get(ANSWER_BLOCK) or {}).get(ANSWER_INPUT) or {}).get("value") or ""
    return channel, str(text)


def home_view(message: Rendered, ids: list[str]) -> dict[str, Any]:
    """The Home tab: the person's status (sections of at most 3,000 characters) with its
    buttons, within 100 blocks."""
    shown: list[dict[str, Any]] = []
    parts = split_text(message.text, MAX_TEXT)
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        shown += blocks(Rendered(part, message.buttons if last else ()), ids if last else [])
    if len(shown) > MAX_VIEW_BLOCKS:
        shown = [*shown[: MAX_VIEW_BLOCKS - 1], shown[-1]]
    return {"type": "home", "blocks": shown}
