"""Block Kit and view limits the fake Slack enforces, with Slack's own error wording.

Slack answers a bad block with ``invalid_blocks`` and one message per problem, each naming the
place by JSON pointer: ``must be less than 3001 characters [json-pointer:/blocks/0/text/text]``.
Views (modals, Home tabs) answer ``invalid_arguments`` with the same kind of messages. The
numbers are Slack's documented limits (docs.slack.dev Block Kit reference; the validators in
``slack_sdk/models/blocks``); see ``/work/shared/platform-facts.md`` C2.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
BLOCK_TYPES = frozenset(
    {"section", "actions", "context", "header", "divider", "image", "input", "rich_text"}
    | {"markdown", "file", "video"}
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


def kind_of(obj: Any) -> str | None:
    """The ``type`` of a Block Kit object, if it has a sensible one."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    return kind if isinstance(kind, str) else None


class Problems:
    """Collects Slack-style problem messages while walking a payload."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, pointer: str, what: str) -> None:
        self.messages.append(f"{what} [json-pointer:{pointer}]")

    def length(self, pointer: str, value: Any, most: int) -> None:
        if not isinstance(value, str):
            self.add(pointer, "must be a string")
        elif len(value) > most:
            self.add(pointer, f"must be less than {most + 1} characters")
        elif not value:
            self.add(pointer, "must be more than 0 characters")

    def items(self, pointer: str, value: Any, most: int) -> list[Any]:
        if not isinstance(value, list):
            self.add(pointer, "must be an array")
            return []
        if len(value) > most:
            self.add(pointer, f"no more than {most} items allowed")
        return value


def _text_object(p: Problems, ptr: str, obj: Any, most: int, plain_only: bool = False) -> None:
    if not isinstance(obj, dict):
        p.add(ptr, "must be an object")
        return
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if kind_of(obj) not in allowed:
        p.add(f"{ptr}/type", f"must be one of {sorted(allowed)}")
    p.length(f"{ptr}/text", obj.get("text"), most)


def _element(p: Problems, ptr: str, el: Any) -> None:
    if not isinstance(el, dict):
        p.add(ptr, "must be an object")
        return
    if "action_id" in el:
        p.length(f"{ptr}/action_id", el["action_id"], 255)
    if kind_of(el) == "button":
        _text_object(p, f"{ptr}/text", el.get("text"), 75, plain_only=True)
        if "value" in el:
            p.length(f"{ptr}/value", el["value"], 2000)
        if "url" in el:
            p.length(f"{ptr}/url", el["url"], 3000)
        if el.get("style") not in (None, "primary", "danger"):
            p.add(f"{ptr}/style", "must be one of [danger, primary]")
    if "options" in el:
        for i, option in enumerate(p.items(f"{ptr}/options", el["options"], 100)):
            if not isinstance(option, dict):
                p.add(f"{ptr}/options/{i}", "must be an object")
                continue
            _text_object(p, f"{ptr}/options/{i}/text", option.get("text"), 75)
            p.length(f"{ptr}/options/{i}/value", option.get("value"), 150)


def _block(p: Problems, ptr: str, block: Any, action_ids: set[str]) -> None:
    if not isinstance(block, dict):
        p.add(ptr, "must be an object")
        return
    kind = kind_of(block)
    if kind not in BLOCK_TYPES:
        p.add(f"{ptr}/type", "unsupported type")
        return
    if "block_id" in block:
        p.length(f"{ptr}/block_id", block["block_id"], 255)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            p.add(ptr, "must provide either text or fields")
        if "text" in block:
            _text_object(p, f"{ptr}/text", block["text"], 3000)
        for i, field in enumerate(p.items(f"{ptr}/fields", block.get("fields", []), 10)):
            _text_object(p, f"{ptr}/fields/{i}", field, 2000)
        if "accessory" in block:
            _element(p, f"{ptr}/accessory", block["accessory"])
            _unique_action(p, f"{ptr}/accessory", block["accessory"], action_ids)
    elif kind == "header":
        _text_object(p, f"{ptr}/text", block.get("text"), 150, plain_only=True)
    elif kind == "actions":
        elements = p.items(f"{ptr}/elements", block.get("elements"), 25)
        for i, el in enumerate(elements):
            _element(p, f"{ptr}/elements/{i}", el)
            _unique_action(p, f"{ptr}/elements/{i}", el, action_ids)
    elif kind == "context":
        for i, el in enumerate(p.items(f"{ptr}/elements", block.get("elements"), 10)):
            if kind_of(el) in TEXT_TYPES:
                _text_object(p, f"{ptr}/elements/{i}", el, 3000)
    elif kind == "markdown":
        p.length(f"{ptr}/text", block.get("text"), 12000)
    elif kind == "input":
        _text_object(p, f"{ptr}/label", block.get("label"), 2000, plain_only=True)
        if not isinstance(block.get("element"), dict):
            p.add(f"{ptr}/element", "must be an object")
        else:
            _element(p, f"{ptr}/element", block["element"])


def _unique_action(p: Problems, ptr: str, el: Any, action_ids: set[str]) -> None:
    action_id = el.get("action_id") if isinstance(el, dict) else None
    if isinstance(action_id, str):
        if action_id in action_ids:
            p.add(f"{ptr}/action_id", "duplicate action_id")
        action_ids.add(action_id)


def block_problems(blocks: Any, most: int = MESSAGE_BLOCKS, root: str = "/blocks") -> list[str]:
    """Every problem Slack would name in ``blocks`` (empty when Slack would accept them)."""
    p = Problems()
    action_ids: set[str] = set()
    for i, block in enumerate(p.items(root, blocks, most)):
        _block(p, f"{root}/{i}", block, action_ids)
    return p.messages


def view_problems(view: Any) -> list[str]:
    """Every problem Slack would name in a modal or Home tab view."""
    p = Problems()
    if not isinstance(view, dict):
        p.add("/view", "must be an object")
        return p.messages
    kind = kind_of(view)
    if kind not in ("modal", "home"):
        p.add("/view/type", "must be one of [home, modal]")
    if kind == "modal":
        _text_object(p, "/view/title", view.get("title"), 24, plain_only=True)
        for button in ("submit", "close"):
            if button in view:
                _text_object(p, f"/view/{button}", view[button], 24, plain_only=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(kind_of(b) == "input" for b in blocks)
        if has_input and "submit" not in view:
            p.add("/view/submit", "must provide submit when the view has input blocks")
    if "private_metadata" in view and view["private_metadata"] != "":
        p.length("/view/private_metadata", view["private_metadata"], 3000)
    if "callback_id" in view and view["callback_id"] != "":
        p.length("/view/callback_id", view["callback_id"], 255)
    if "external_id" in view and view["external_id"] != "":
        p.length("/view/external_id", view["external_id"], 255)
    p.messages += block_problems(view.get("blocks"), VIEW_BLOCKS, "/view/blocks")
    return p.messages
