"""People in Slack workspaces: their language, their DM with Kompis, their account by
e-mail. Each answer is cached: ``conversations.open`` and ``users.lookupByEmail`` are Tier 3
(about 50 a minute), and an e-mail Slack did not know is asked again only after an hour."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.transports.base import TransportError
from bot.transports.slack_convert import why
from bot.transports.slack_workspaces import Workspaces

log = logging.getLogger(__name__)

RETRY_LOOKUP = 3600.0  # seconds before an e-mail Slack did not know is looked up again
Found = tuple[str, str, str | None]  # user id, DM channel, Slack locale


class Directory:
    def __init__(self, workspaces: Workspaces) -> None:
        self.workspaces = workspaces
        self._locales: dict[tuple[str, str], str | None] = {}
        self._dms: dict[tuple[str, str], str] = {}
        self._not_found: dict[tuple[str, str], float] = {}  # (team, e-mail) -> when

    async def locale(self, team: str, user: str) -> str | None:
        """The person's Slack language (``users.info`` with ``include_locale``)."""
        if (team, user) not in self._locales:
            try:
                client = await self.workspaces.client(team)
                found = await client.users_info(user=user, include_locale=True)
            except (SlackApiError, SlackClientError, TransportError) as exc:
                log.warning("Slack users.info failed: %s", why(exc))
                return None
            self._locales[(team, user)] = (found.get("user") or {}).get("locale")
        return self._locales[(team, user)]

    async def dm(self, team: str, user: str) -> str | None:
        """The DM channel with a person, opened if need be."""
        if (team, user) not in self._dms:
            try:
                client = await self.workspaces.client(team)
                found = await client.conversations_open(users=user)
            except (SlackApiError, SlackClientError, TransportError) as exc:
                log.warning("Slack conversations.open failed: %s", why(exc))
                return None
            self._dms[(team, user)] = str((found.get("channel") or {}).get("id", ""))
        return self._dms[(team, user)] or None

    async def by_email(self, team: str, email: str) -> Found | None:
        """``users.lookupByEmail`` in ``team``, then the DM and the locale; ``None`` for
        an address Slack does not know there, or a deactivated account."""
        tried = self._not_found.get((team, email))
        if tried is not None and time.monotonic() - tried < RETRY_LOOKUP:
            return None
        try:
            client = await self.workspaces.client(team)
            found = await client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                self._not_found[(team, email)] = time.monotonic()
            else:
                log.warning("Slack users.lookupByEmail failed: %s", why(exc))
            return None
        except (SlackClientError, TransportError) as exc:
            log.warning("Slack users.lookupByEmail failed: %s", why(exc))
            return None
        user = found.get("user") or {}
        if user.get("deleted") or user.get("is_bot") or not user.get("id"):
            self._not_found[(team, email)] = time.monotonic()  # left the workspace
            return None
        user_id = str(user["id"])
        channel = await self.dm(team, user_id)
        if channel is None:
            return None
        return user_id, channel, await self.locale(team, user_id)
