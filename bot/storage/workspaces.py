"""Workspaces (Slack teams) as a whole: when one removes Kompis, nobody there is reachable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlmodel import col

from bot.storage.base import StoreBase
from bot.storage.tables import IdentityRow


class WorkspaceQueries(StoreBase):
    """Workspaces as a whole."""

    async def mark_workspace_unreachable(
        self, platform: str, workspace: str, reason: str, now: datetime
    ) -> int:
        """Every reachable identity in ``workspace`` becomes unreachable with ``reason``;
        returns how many did (messages queued for them go to another identity, or wait)."""
        result = await self.session.exec(
            update(IdentityRow)
            .where(
                col(IdentityRow.platform) == platform,
                col(IdentityRow.workspace) == workspace,
                col(IdentityRow.unreachable_at).is_(None),
            )
            .values(unreachable_at=now, unreachable_reason=reason[:200])
        )
        return int(result.rowcount or 0)

    async def installed_slack_teams(self) -> list[str]:
        """Workspaces that installed Kompis by OAuth (slack-sdk's ``slack_bots`` table,
        created by migration 0009 and written by its installation store)."""
        query = text("SELECT DISTINCT team_id FROM slack_bots WHERE team_id IS NOT NULL")
        return sorted(str(team) for team in (await self.session.exec(query)).scalars())  # type: ignore[call-overload]
