"""What the fake Slack knows: workspaces, their people and channels, what was posted, and
how it says no (``Refusal``).

Each workspace (team) has one bot token; people and DM channels belong to one team, so a token
of one workspace never sees another's. Everything here is plain data the control API of
``FakeSlack`` reads and writes; the HTTP side lives in ``tests/fake_slack.py``.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeUser:
    id: str
    team_id: str
    name: str
    email: str | None
    locale: str
    tz: str
    tz_offset: int
    deleted: bool = False

    def profile(self, include_locale: bool) -> dict[str, Any]:
        """The user object as ``users.info`` / ``users.lookupByEmail`` return it."""
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.name,
            "deleted": self.deleted,
            "is_bot": False,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "profile": {"real_name": self.name, "display_name": self.name, "team": self.team_id},
        }
        if self.email is not None:
            user["profile"]["email"] = self.email
        if include_locale:
            user["locale"] = self.locale
        return user


@dataclass
class FakeTeam:
    id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    app_id: str
    scopes: tuple[str, ...]
    users: dict[str, FakeUser] = field(default_factory=dict)
    channels: set[str] = field(default_factory=set)  # public/private channels added by tests
    dms: dict[str, str] = field(default_factory=dict)  # user id -> D... channel id
    installed: bool = True


@dataclass
class Posted:
    """One message in a channel, as the channel's members would see it."""

    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    user: str  # the bot user that posted it
    reply_broadcast: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list)  # earlier versions, oldest first
    missing_text_fallback: bool = False  # blocks without a top-level ``text`` (a11y problem)


@dataclass
class Ephemeral:
    channel: str
    user: str  # the one person who sees it
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    message_ts: str


@dataclass
class FakeView:
    id: str
    team_id: str
    user_id: str
    view: dict[str, Any]
    hash: str
    external_id: str | None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions


@dataclass
class Call:
    """One HTTP request to the fake, whatever the answer was."""

    method: str  # e.g. "chat.postMessage"
    http_method: str  # GET or POST
    content_type: str
    args: dict[str, Any]  # query, form and JSON arguments merged (token left out)
    token: str | None
    team_id: str | None
    status: int = 200
    response: dict[str, Any] | None = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


@dataclass(frozen=True)
class InjectedFailure:
    status: int
    method: str | None  # None: any method
    html: bool  # an HTML error page like Slack's front end, not JSON
    deliver: bool  # the call takes effect and only the answer is lost


class Refusal(Exception):
    """Slack's ``{"ok": false, "error": ...}`` answer (HTTP 200)."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            if self.error == "invalid_blocks":
                body["errors"] = list(self.messages)
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


def flag(value: Any) -> bool:
    """Slack booleans arrive as true/false (JSON), "1"/"0" or "true"/"false" (form, query)."""
    return value is True or str(value).lower() in ("1", "true")


def decoded(args: dict[str, Any], name: str, error: str) -> Any:
    """A JSON argument: a list/dict in a JSON body, a JSON string in a form or query."""
    value = args.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise Refusal(error) from None
    return value


class ManualClock:
    """A clock for the fake that moves only when told to (seconds since the epoch)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Ids:
    """Slack-shaped ids, unique within one fake."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08X}"
