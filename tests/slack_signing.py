"""Signed inbound Slack requests: what Slack POSTs to an app's request URL.

    signer = SlackSigner("signing-secret")
    request = signer.event(team, slack.user_writes(team.id, kari.id, "hei"))  # a FakeSlack
    await app.async_dispatch(request.bolt())  # or POST request.body with request.headers

Events API callbacks are JSON; interactions (``block_actions``, ``view_submission``) are a
form with one ``payload=`` field holding JSON; slash commands are plain form fields. Every
request carries ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=<hex HMAC-SHA256 of
"v0:{timestamp}:{raw body}">``; a redelivery also ``X-Slack-Retry-Num`` and
``X-Slack-Retry-Reason`` (platform-facts C5, C6).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest

from tests.fake_slack_state import FakeTeam

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
_ids = itertools.count(1)


@dataclass(frozen=True)
class SignedRequest:
    body: str  # the raw body, exactly as signed
    headers: dict[str, str]

    def bolt(self) -> AsyncBoltRequest:
        return AsyncBoltRequest(body=self.body, headers=dict(self.headers))


class SlackSigner:
    """Builds and signs requests as Slack would for one app (one signing secret)."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self.secret = signing_secret
        self.clock = clock

    def sign(
        self,
        body: str,
        content_type: str,
        age: float = 0,
        retry: tuple[int, str] | None = None,
    ) -> SignedRequest:
        """Sign ``body`` with a timestamp ``age`` seconds in the past."""
        timestamp = str(int(self.clock() - age))
        base = f"v0:{timestamp}:{body}".encode()
        digest = hmac.new(self.secret.encode(), base, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}",
        }
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry[0])
            headers["X-Slack-Retry-Reason"] = retry[1]
        return SignedRequest(body, headers)

    # -- Events API ------------------------------------------------------------------------

    def event(
        self,
        team: FakeTeam,
        event: dict[str, Any],
        event_id: str | None = None,
        age: float = 0,
        retry: tuple[int, str] | None = None,
    ) -> SignedRequest:
        """An ``event_callback`` envelope around ``event``. Pass the same ``event_id`` and a
        ``retry`` to build Slack's redelivery of an event."""
        envelope = {
            "token": "unused-verification-token",
            "team_id": team.id,
            "api_app_id": team.app_id,
            "event": {"event_ts": self._ts()} | event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):010d}",
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team.id,
                    "user_id": team.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.sign(json.dumps(envelope), JSON, age, retry)

    # -- interactivity and commands --------------------------------------------------------

    def block_actions(
        self,
        team: FakeTeam,
        user_id: str,
        channel: str,
        message_ts: str,
        action_id: str,
        value: str,
        trigger_id: str = "",
        block_id: str = "b1",
    ) -> SignedRequest:
        """A person pressed a button of the message ``message_ts`` in ``channel``."""
        payload = self._interaction(team, user_id, "block_actions", trigger_id) | {
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "ts": message_ts, "user": team.bot_user_id},
            "response_url": f"https://hooks.slack.invalid/actions/{team.id}/{next(_ids)}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "text": {"type": "plain_text", "text": value},
                    "action_ts": self._ts(),
                }
            ],
            "state": {"values": {}},
        }
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def view_submission(
        self,
        team: FakeTeam,
        user_id: str,
        view: dict[str, Any],
        values: dict[str, dict[str, str]],
        trigger_id: str = "",
        choices: dict[str, dict[str, str]] | None = None,
    ) -> SignedRequest:
        """A person submitted the modal ``view`` (as ``views.open`` returned it) with
        ``values`` as ``{block_id: {action_id: text}}`` from plain-text inputs, and
        ``choices`` as ``{block_id: {action_id: value}}`` from radio buttons."""
        state: dict[str, dict[str, Any]] = {
            block: {action: {"type": "plain_text_input", "value": text}}
            for block, actions in values.items()
            for action, text in actions.items()
        }
        for block, actions in (choices or {}).items():
            for action, value in actions.items():
                chosen = {"type": "radio_buttons", "selected_option": {"value": value}}
                state.setdefault(block, {})[action] = chosen
        payload = self._interaction(team, user_id, "view_submission", trigger_id) | {
            "view": view | {"state": {"values": state}},
            "response_urls": [],
        }
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def slash_command(
        self,
        team: FakeTeam,
        user_id: str,
        channel: str,
        command: str,
        text: str = "",
        trigger_id: str = "",
    ) -> SignedRequest:
        fields = {
            "token": "unused-verification-token",
            "team_id": team.id,
            "team_domain": team.domain,
            "channel_id": channel,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": team.app_id,
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.invalid/commands/{team.id}/{next(_ids)}",
            "trigger_id": trigger_id,
        }
        return self.sign(urlencode(fields), FORM)

    def _interaction(
        self, team: FakeTeam, user_id: str, kind: str, trigger_id: str
    ) -> dict[str, Any]:
        return {
            "type": kind,
            "team": {"id": team.id, "domain": team.domain},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": team.id},
            "api_app_id": team.app_id,
            "token": "unused-verification-token",
            "trigger_id": trigger_id,
            "is_enterprise_install": False,
        }

    def _ts(self) -> str:
        return f"{self.clock():.6f}"


# -- events ---------------------------------------------------------------------------------


def message_im(
    user_id: str, channel: str, text: str, ts: str | None = None, thread_ts: str | None = None
) -> dict[str, Any]:
    """A person wrote ``text`` to the app in their DM (``message.im``)."""
    ts = ts or f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user_id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened(user_id: str, channel: str, tab: str = "home") -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab}


def app_uninstalled() -> dict[str, Any]:
    return {"type": "app_uninstalled"}


def tokens_revoked(bot_user_ids: list[str], user_ids: list[str] | None = None) -> dict[str, Any]:
    return {"type": "tokens_revoked", "tokens": {"oauth": user_ids or [], "bot": bot_user_ids}}
