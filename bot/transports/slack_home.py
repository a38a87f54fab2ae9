"""The answer modal and the App Home tab, as the Slack transport opens and publishes them,
and what the transport asks of Kompis for them (``SlackHooks``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.messages import Address, Inbound, Rendered
from bot.transports.base import ActionRegistry, TransportError
from bot.transports.slack_convert import PLATFORM, why
from bot.transports.slack_directory import Directory
from bot.transports.slack_views import answer_modal, home_view, submitted, submitted_share
from bot.transports.slack_workspaces import Workspaces

log = logging.getLogger(__name__)


class SlackHooks(Protocol):
    """What the transport asks of Kompis (``bot.serve_slack`` answers from the database)."""

    async def workspace_gone(self, workspace: str, reason: str) -> None:
        """The workspace's token stopped working or the app was removed."""
        ...

    async def answer_form(
        self, workspace: str, user: str, action: str, locale_hint: str | None
    ) -> dict[str, str]:
        """The answer modal's ``title``, ``label``, ``submit``, ``close`` and ``question``."""
        ...

    async def home(
        self, workspace: str, user: str, locale_hint: str | None
    ) -> tuple[Rendered, str | None]:
        """The App Home content, and the person's DM channel (``None``: a stranger)."""
        ...

    async def match_by_email(
        self, workspace: str, lookup: Callable[[str], Awaitable[tuple[str, str, str | None] | None]]
    ) -> int:
        """Link the people not on Slack yet whose e-mail ``lookup`` finds; how many."""
        ...


class SlackViews:
    def __init__(
        self, workspaces: Workspaces, directory: Directory, actions: ActionRegistry
    ) -> None:
        self.workspaces = workspaces
        self.directory = directory
        self.actions = actions

    async def open_answer(
        self, hooks: SlackHooks, trigger_id: str, inbound: Inbound, action: str, locale: str | None
    ) -> None:
        """The Answer button opens a modal at once (a trigger lasts 3 seconds); the
        prompt is also posted in the DM, where a plain reply counts as well."""
        form = await hooks.answer_form(inbound.workspace, inbound.user_id, action, locale)
        view = answer_modal(form, inbound.chat_id, form.get("question", ""))
        try:
            client = await self.workspaces.client(inbound.workspace)
            await client.views_open(trigger_id=trigger_id, view=view)
        except (SlackApiError, SlackClientError, TransportError) as exc:
            log.warning("Slack views.open failed: %s", why(exc))

    async def submitted(self, body: dict[str, Any], view: dict[str, Any]) -> Inbound | None:
        """An answer modal as the reply it stands for in the person's DM."""
        found = submitted(view)
        if found is None:
            return None
        channel, text = found
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        view_id = f"view:{view.get('id', '')}"
        inbound = Inbound(
            PLATFORM,
            str(user.get("id", "")),
            channel,
            text=text,
            event_id=view_id,
            workspace=team,
            locale_hint=await self.directory.locale(team, str(user.get("id", ""))),
            message_id=view_id,
        )
        return inbound

    def shared(self, inbound: Inbound, view: dict[str, Any]) -> Inbound | None:
        """Who may read the answer, as chosen in the modal: an action after the answer."""
        found = submitted_share(view)
        if found is None:
            return None
        ref, visibility = found
        return replace(
            inbound,
            text="",
            action=f"bank_share_ref:{visibility}:{ref}",
            event_id=f"{inbound.event_id}:share",
            message_id=None,
        )

    async def publish_home(
        self, hooks: SlackHooks, team: str, user: str, locale: str | None
    ) -> bool:
        """The Home tab for ``user``: their status and its buttons."""
        content, chat = await hooks.home(team, user, locale)
        buttons = content.buttons if chat else ()
        address = Address(PLATFORM, chat or "", team)
        ids = await self.actions.register(address, [b.action for b in buttons])
        view = home_view(replace(content, buttons=buttons), ids)
        try:
            client = await self.workspaces.client(team)
            await client.views_publish(user_id=user, view=view)
        except (SlackApiError, SlackClientError, TransportError) as exc:
            log.warning("Slack views.publish failed: %s", why(exc))
            return False
        return True
