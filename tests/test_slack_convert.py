"""The pure Slack converters: mrkdwn escaping, Block Kit within Slack's limits, the
manifest in line with the code."""

from __future__ import annotations

from importlib.resources import files

import yaml

from bot.domain.messages import Button, Rendered, split_text
from bot.transports.slack_convert import (
    MAX_ACTIONS,
    MAX_BUTTON_TEXT,
    MAX_TEXT,
    action_inbound,
    blocks,
    escape,
    fallback,
    message_inbound,
)
from bot.transports.slack_listeners import COMMAND
from bot.transports.slack_oauth import SCOPES
from bot.transports.slack_views import home_view


def test_user_text_cannot_become_markup() -> None:
    text = "Se <!channel> & <https://evil.example.org|her> <@U123>"
    shown = blocks(Rendered(text), [])
    assert shown[0]["text"]["text"] == (
        "Se &lt;!channel&gt; &amp; &lt;https://evil.example.org|her&gt; &lt;@U123&gt;"
    )
    assert "<" not in fallback(Rendered(text)) and escape("a&b") == "a&amp;b"


def test_buttons_fit_slacks_limits() -> None:
    buttons = tuple(Button("x" * 100 if n == 0 else f"Valg {n}", f"a:{n}") for n in range(30))
    shown = blocks(Rendered("Velg", buttons), [f"id{n}" for n in range(30)])
    actions = [b for b in shown if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [MAX_ACTIONS, 5]
    elements = [e for a in actions for e in a["elements"]]
    assert len({e["action_id"] for e in elements}) == 30  # unique within the message
    assert all(len(e["text"]["text"]) <= MAX_BUTTON_TEXT for e in elements)
    assert [e["value"] for e in elements] == [f"id{n}" for n in range(30)]  # opaque ids only


def test_long_text_is_split_into_messages_and_home_sections() -> None:
    long = "\n\n".join(f"Avsnitt {n}: " + "ord " * 200 for n in range(20))
    parts = split_text(long, MAX_TEXT)
    assert len(parts) > 1 and all(len(p) <= MAX_TEXT for p in parts)
    for part in parts:
        (section,) = blocks(Rendered(part), [])
        assert len(section["text"]["text"]) <= MAX_TEXT
    home = home_view(Rendered(long, (Button("Status", "status"),)), ["id1"])
    sections = [b for b in home["blocks"] if b["type"] == "section"]
    assert len(sections) == len(parts) and len(home["blocks"]) <= 100
    assert home["blocks"][-1]["type"] == "actions"


def test_only_dms_from_people_become_inbound() -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "hei"}
    found = message_inbound(dm | {"ts": "1.000001"}, "T1", "Ev1")
    assert found is not None and (found.chat_id, found.workspace, found.message_id) == (
        "D1",
        "T1",
        "1.000001",
    )
    assert message_inbound(dm | {"channel_type": "channel"}, "T1", "Ev2") is None
    assert message_inbound(dm | {"bot_id": "B1"}, "T1", "Ev3") is None
    assert message_inbound(dm | {"subtype": "message_changed"}, "T1", "Ev4") is None
    other_app = {"actions": [{"action_id": "someone-else", "value": "x"}]}
    assert action_inbound(other_app) is None


def test_the_manifest_asks_for_exactly_what_kompis_uses() -> None:
    manifest = yaml.safe_load(
        files("bot.transports").joinpath("slack_manifest.yaml").read_text(encoding="utf-8")
    )
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == ["app_home_opened", "app_uninstalled", "message.im", "tokens_revoked"]
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
