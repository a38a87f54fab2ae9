"""What the Slack transport hears: Bolt's listeners for messages, button presses, the
``/kompis`` command, answer modals, the Home tab and a workspace removing Kompis. Each turns
its payload into an ``Inbound`` (``slack_convert``) for Kompis's hook; what cannot wait in the
outbox happens here, inline: a pressed message is updated (``chat.update``) to show which
button was pressed."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.messages import REFUSED, Inbound
from bot.transports.base import ActionRegistry, InboundHandler, TransportError
from bot.transports.slack_convert import (
    ACTION_PREFIX,
    PLATFORM,
    action_inbound,
    message_inbound,
    pressed_blocks,
    why,
)
from bot.transports.slack_directory import Directory
from bot.transports.slack_home import SlackHooks, SlackViews
from bot.transports.slack_send import Ephemerals
from bot.transports.slack_views import ANSWER_CALLBACK
from bot.transports.slack_workspaces import Workspaces

log = logging.getLogger(__name__)

COMMAND = "/kompis"


class Listeners:
    """The receiving half of ``SlackTransport`` (which sets these attributes up)."""

    app: AsyncApp
    actions: ActionRegistry
    hooks: SlackHooks | None
    workspaces: Workspaces
    directory: Directory
    views: SlackViews
    _on_inbound: InboundHandler | None
    _home_seen: set[tuple[str, str]]
    _background: set[asyncio.Task[Any]]
    _ephemeral: Ephemerals
    _matching: dict[str, asyncio.Lock]

    def _ok(self) -> None:
        raise NotImplementedError

    def _track(self) -> None:
        """Called first in every listener: Bolt runs it in a task of its own after the
        ``ack`` (HTTP and Socket Mode alike), which ``stop`` then waits for."""
        task = asyncio.current_task()
        if task is not None:
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _listen(self) -> None:
        app = self.app
        app.event("message")(self._message)
        app.action(re.compile(f"^{ACTION_PREFIX}"))(self._action)
        app.command(COMMAND)(self._command)
        app.view(ANSWER_CALLBACK)(self._submitted)
        app.event("app_home_opened")(self._home_opened)
        app.event("app_uninstalled")(self._uninstalled)
        app.event("tokens_revoked")(self._revoked)

    async def _hand_on(self, inbound: Inbound) -> None:
        """To Kompis (handled and its replies queued when this returns), then the person's
        Home tab follows the change if they have looked at it."""
        if self._on_inbound is not None:
            await self._on_inbound(inbound)
        if (inbound.workspace, inbound.user_id) in self._home_seen:
            await self._publish_home(inbound.workspace, inbound.user_id, inbound.locale_hint)

    async def _message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._track()
        inbound = message_inbound(event, str(body.get("team_id", "")), body.get("event_id"))
        if inbound is None:
            return
        locale = await self.directory.locale(inbound.workspace, inbound.user_id)
        await self._hand_on(replace(inbound, locale_hint=locale))

    async def _action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        self._track()
        await ack()
        inbound = action_inbound(body)
        if inbound is None:
            return
        if (body.get("container") or {}).get("is_ephemeral"):  # an answer to /kompis
            dm = await self.directory.dm(inbound.workspace, inbound.user_id)
            inbound = replace(inbound, chat_id=dm or inbound.chat_id, message_id=None)
        action = await self.actions.resolve(
            PLATFORM, inbound.workspace, inbound.action or "", inbound.user_id
        )
        locale = await self.directory.locale(inbound.workspace, inbound.user_id)
        if action is None:
            await self._hand_on(replace(inbound, action=None, kind=REFUSED, locale_hint=locale))
            return
        if action.partition(":")[0] == "reflect" and body.get("trigger_id") and self.hooks:
            await self.views.open_answer(self.hooks, body["trigger_id"], inbound, action, locale)
        shown = pressed_blocks(body)
        if shown is not None and inbound.message_id:
            try:
                client = await self.workspaces.client(inbound.workspace)
                await client.chat_update(
                    channel=inbound.chat_id, ts=inbound.message_id, text=shown[0], blocks=shown[1]
                )
                self._ok()
            except (SlackApiError, SlackClientError, TransportError) as exc:  # it still counts
                log.warning("Slack chat.update of a pressed message: %s", why(exc))
        await self._hand_on(replace(inbound, action=action, locale_hint=locale))

    async def _submitted(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """An answer modal: counts as a reply in the person's DM."""
        self._track()
        await ack()
        inbound = await self.views.submitted(body, view)
        if inbound is not None:
            await self._hand_on(inbound)
            share = self.views.shared(inbound, view)
            if share is not None:  # after the answer is saved: who may read it
                await self._hand_on(share)

    async def _home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._track()
        if event.get("tab") != "home":
            return
        team, user = str(body.get("team_id", "")), str(event.get("user", ""))
        self._home_seen.add((team, user))
        await self._publish_home(team, user, await self.directory.locale(team, user))

    async def _publish_home(self, team: str, user: str, locale: str | None) -> None:
        if self.hooks is not None and await self.views.publish_home(self.hooks, team, user, locale):
            self._ok()

    async def _command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """``/kompis status`` and the rest: the same words as in a DM. Typed in the DM, the
        answer is a DM message; typed in a channel, it is ephemeral there (only the person
        sees it), so nothing of theirs shows in a shared channel."""
        self._track()
        await ack()
        user, team = str(body.get("user_id", "")), str(body.get("team_id", ""))
        channel = await self.directory.dm(team, user)
        if channel is None:
            return
        self._ephemeral.answer_in(team, channel, str(body.get("channel_id", "")), user)
        inbound = Inbound(
            PLATFORM,
            user,
            channel,
            text=str(body.get("text", "")).strip() or "help",
            event_id=f"command:{body.get('trigger_id') or body.get('response_url', '')}",
            workspace=team,
            locale_hint=await self.directory.locale(team, user),
        )
        await self._hand_on(inbound)

    async def _uninstalled(self, body: dict[str, Any]) -> None:
        self._track()
        await self._gone(str(body.get("team_id", "")), "app_uninstalled")

    async def _revoked(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._track()
        if (event.get("tokens") or {}).get("bot"):
            await self._gone(str(body.get("team_id", "")), "tokens_revoked")

    async def _gone(self, team_id: str, reason: str) -> None:
        log.warning("Slack workspace %s is gone: %s", team_id, reason)
        await self.workspaces.forget(team_id)
        if self.hooks is not None:
            await self.hooks.workspace_gone(team_id, f"Slack: {reason} (workspace gone)")

    async def match_people(self) -> int:
        """Link people to their Slack accounts by e-mail in every workspace (at start, at
        every tick, and when a workspace installs Kompis)."""
        linked = 0
        for team in await self.workspaces.teams():
            linked += await self._match(team)
        return linked

    async def _match(self, team: str) -> int:
        if self.hooks is None:
            return 0

        async def lookup(email: str) -> tuple[str, str, str | None] | None:
            return await self.directory.by_email(team, email)

        # one pass per workspace at a time: a pass that overlaps another (start, a tick, an
        # install) waits and then asks only about what the first one did not settle
        async with self._matching.setdefault(team, asyncio.Lock()):
            return await self.hooks.match_by_email(team, lookup)

    async def _installed(self, team: str) -> None:
        """OAuth finished for ``team``: its new token is read at the next send, and its
        people are matched now, off the request path."""
        self.workspaces.invalidate(team)
        task = asyncio.create_task(self._match(team), name=f"slack-match-{team}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)
