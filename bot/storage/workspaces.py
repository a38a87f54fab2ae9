"""Workspaces (Slack teams) as a whole: when one removes Kompis, nobody there is reachable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from bot.storage.base import StoreBase
from bot.storage.tables import IdentityRow


class WorkspaceQueries(StoreBase):
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
