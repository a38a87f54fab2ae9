"""The Web API methods of the fake Slack, answering as Slack does.

Each handler takes the calling workspace and the request's arguments and returns the JSON body
of a successful answer, or raises ``Refusal`` with Slack's error code. ``World`` holds all the
state (the data types are in ``tests/fake_slack_state.py``); the views methods are mixed in
from ``tests/fake_slack_views.py``; the HTTP side is in ``tests/fake_slack.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fake_slack_blocks import block_problems
from tests.fake_slack_files import FakeFile, FileMethods
from tests.fake_slack_state import (
    Ephemeral,
    FakeTeam,
    FakeUser,
    FakeView,
    Ids,
    Posted,
    Refusal,
    decoded,
    flag,
)
from tests.fake_slack_views import ViewMethods

MAX_TEXT = 40_000  # chat.postMessage answers msg_too_long beyond this


class World(ViewMethods, FileMethods):
    """Every workspace, person, channel, message and view the fake knows."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.ids = Ids()
        self.teams: dict[str, FakeTeam] = {}
        self.tokens: dict[str, str] = {}  # bot token -> team id
        self.revoked: dict[str, str] = {}  # token -> the error it now answers
        self.messages: dict[str, list[Posted]] = {}  # channel id -> messages in order
        self.ephemerals: dict[str, list[Ephemeral]] = {}
        self.views: dict[str, FakeView] = {}
        self.homes: dict[tuple[str, str], str] = {}  # (team, user) -> view id
        self.triggers: dict[str, tuple[str, str, float]] = {}  # (team, user, issued at)
        self.codes: dict[str, str] = {}  # OAuth code -> team id
        self.files: dict[str, FakeFile] = {}
        self.upload_base = ""
        self.client_id = "1111.2222"
        self.client_secret = "fake-client-secret"
        self._last_ts = 0

    # -- helpers ---------------------------------------------------------------------------

    def new_ts(self) -> str:
        """A message timestamp string, strictly increasing, as Slack's ``ts`` are."""
        micros = max(int(self.clock() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def user(self, team: FakeTeam, user_id: Any, error: str = "user_not_found") -> FakeUser:
        found = team.users.get(str(user_id)) if user_id else None
        if found is None:
            raise Refusal(error)
        return found

    def open_dm(self, team: FakeTeam, user: FakeUser) -> str:
        if user.id not in team.dms:
            team.dms[user.id] = self.ids.new("D")
        return team.dms[user.id]

    def channel(self, team: FakeTeam, channel: Any) -> str:
        """The channel id a post goes to: a known channel or open DM of this team, or a user
        id of this team (Slack posts that to the person's DM with the app)."""
        name = str(channel or "")
        if name in team.channels or name in team.dms.values():
            return name
        if name in team.users and not team.users[name].deleted:
            return self.open_dm(team, team.users[name])
        raise Refusal("channel_not_found")

    def content(self, a: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
        text = a.get("text") or a.get("markdown_text") or None
        blocks = decoded(a, "blocks", "invalid_blocks_format")
        if blocks is not None:
            problems = block_problems(blocks)
            if problems:
                raise Refusal("invalid_blocks", problems)
        if text is None and not blocks and not a.get("attachments"):
            raise Refusal("no_text")
        if text is not None and len(str(text)) > MAX_TEXT:
            raise Refusal("msg_too_long")
        return (None if text is None else str(text)), blocks

    def message(self, channel: str, ts: Any) -> Posted:
        for posted in self.messages.get(channel, []):
            if posted.ts == ts:
                return posted
        raise Refusal("message_not_found")

    # -- methods ---------------------------------------------------------------------------

    def auth_test(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{team.domain}.slack.com/",
            "team": team.name,
            "user": "kompis",
            "team_id": team.id,
            "user_id": team.bot_user_id,
            "bot_id": team.bot_id,
            "app_id": team.app_id,
            "is_enterprise_install": False,
        }

    def chat_post_message(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(team, a.get("channel"))
        text, blocks = self.content(a)
        thread_ts = a.get("thread_ts") or None
        if thread_ts is not None and not any(
            m.ts == thread_ts for m in self.messages.get(channel, [])
        ):
            raise Refusal("thread_not_found")  # must be the exact ts string Slack returned
        posted = Posted(
            channel=channel,
            ts=self.new_ts(),
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            user=team.bot_user_id,
            reply_broadcast=flag(a.get("reply_broadcast")),
            missing_text_fallback=text is None,
        )
        self.messages.setdefault(channel, []).append(posted)
        return {"ok": True, "channel": channel, "ts": posted.ts, "message": self._shape(posted)}

    def chat_update(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(team, a.get("channel"))
        posted = self.message(channel, a.get("ts"))
        if posted.user != team.bot_user_id:
            raise Refusal("cant_update_message")
        text, blocks = self.content(a)
        posted.edits.append({"text": posted.text, "blocks": posted.blocks})
        posted.text, posted.blocks = text, blocks
        posted.missing_text_fallback = text is None
        return {
            "ok": True,
            "channel": channel,
            "ts": posted.ts,
            "text": text or "",
            "message": self._shape(posted),
        }

    def chat_post_ephemeral(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(team, a.get("channel"))
        user = self.user(team, a.get("user"), "user_not_in_channel")
        dm_partner = next((u for u, d in team.dms.items() if d == channel), None)
        if dm_partner is not None and dm_partner != user.id:
            raise Refusal("user_not_in_channel")
        text, blocks = self.content(a)
        ephemeral = Ephemeral(channel, user.id, text, blocks, a.get("thread_ts"), self.new_ts())
        self.ephemerals.setdefault(channel, []).append(ephemeral)
        return {"ok": True, "message_ts": ephemeral.message_ts}

    def conversations_open(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("channel"):
            if a["channel"] not in team.dms.values():
                raise Refusal("channel_not_found")
            return {
                "ok": True,
                "no_op": True,
                "already_open": True,
                "channel": {"id": a["channel"]},
            }
        ids = [u.strip() for u in str(a.get("users") or "").split(",") if u.strip()]
        if not ids:
            raise Refusal("users_list_not_supplied")
        if len(ids) > 1:
            raise Refusal("not_supported_by_fake", [f"group DMs ({len(ids)} users)"])
        user = self.user(team, ids[0])
        if user.deleted:
            raise Refusal("user_disabled")
        already = user.id in team.dms
        channel: dict[str, Any] = {"id": self.open_dm(team, user)}
        if flag(a.get("return_im")):
            channel.update(is_im=True, user=user.id, created=int(self.clock()))
        if already:
            return {"ok": True, "no_op": True, "already_open": True, "channel": channel}
        return {"ok": True, "channel": channel}

    def users_info(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        user = self.user(team, a.get("user"))
        return {"ok": True, "user": user.profile(flag(a.get("include_locale")))}

    def users_lookup_by_email(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        email = str(a.get("email") or "").lower()
        for user in team.users.values():
            if user.email is not None and user.email.lower() == email:
                return {"ok": True, "user": user.profile(False)}
        raise Refusal("users_not_found")

    def oauth_v2_access(self, client: tuple[str, str] | None, a: dict[str, Any]) -> dict[str, Any]:
        client_id, secret = client or (a.get("client_id"), a.get("client_secret"))
        if client_id != self.client_id:
            raise Refusal("invalid_client_id")
        if secret != self.client_secret:
            raise Refusal("bad_client_secret")
        team_id = self.codes.pop(str(a.get("code") or ""), None)
        if team_id is None:
            raise Refusal("invalid_code")
        team = self.teams[team_id]
        if not team.installed or team.bot_token in self.revoked:
            self.tokens.pop(team.bot_token, None)
            team.bot_token = f"xoxb-fake-{team.id}-{self.ids.new('')}"
            self.tokens[team.bot_token] = team.id
            team.installed = True
        return {
            "ok": True,
            "access_token": team.bot_token,
            "token_type": "bot",
            "scope": ",".join(team.scopes),
            "bot_user_id": team.bot_user_id,
            "app_id": team.app_id,
            "team": {"id": team.id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": next(iter(team.users), "")},
        }

    @staticmethod
    def _shape(posted: Posted) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", "user": posted.user, "ts": posted.ts}
        message["text"] = posted.text or ""
        if posted.blocks is not None:
            message["blocks"] = posted.blocks
        if posted.thread_ts is not None:
            message["thread_ts"] = posted.thread_ts
        return message


HANDLERS: dict[str, Callable[[World, FakeTeam, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": World.auth_test,
    "chat.postMessage": World.chat_post_message,
    "chat.update": World.chat_update,
    "chat.postEphemeral": World.chat_post_ephemeral,
    "conversations.open": World.conversations_open,
    "users.info": World.users_info,
    "users.lookupByEmail": World.users_lookup_by_email,
    "views.open": World.views_open,
    "views.update": World.views_update,
    "views.publish": World.views_publish,
    "files.getUploadURLExternal": World.files_get_upload_url_external,
    "files.completeUploadExternal": World.files_complete_upload_external,
}
