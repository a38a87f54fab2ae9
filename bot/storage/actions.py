"""Button actions kept server-side, resolved only for the person a button was sent to.

Telegram's ``callback_data`` holds 64 bytes, and a valid action (``survey_answer:<module>/
<stage>/<activity>:<n>``) can be longer; a forged or forwarded button must not act for
someone else either. So a button carries a random opaque id, and its action and recipient
live here.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import select

from bot.storage.base import StoreBase
from bot.storage.tables import ButtonActionRow

#: 12 random bytes as base64url: 16 characters, far under Telegram's 64-byte limit
ID_BYTES = 12


class ActionQueries(StoreBase):
    """Register and resolve opaque button ids."""

    async def register_actions(
        self, person_id: int | None, actions: Sequence[str], now: datetime
    ) -> list[str]:
        ids = [secrets.token_urlsafe(ID_BYTES) for _ in actions]
        for action_id, action in zip(ids, actions, strict=True):
            self.session.add(
                ButtonActionRow(id=action_id, person_id=person_id, action=action, created_at=now)
            )
        await self.session.flush()
        return ids

    async def bind_action(
        self, action_id: str, person_id: int | None, action: str, now: datetime
    ) -> None:
        """An action under an id the platform gave (a poll id); the first binding stands."""
        values = {"id": action_id[:32], "person_id": person_id, "action": action, "created_at": now}
        await self._insert_ignore(ButtonActionRow, values)

    async def button_action(self, action_id: str) -> ButtonActionRow | None:
        if not action_id or len(action_id) > 32:
            return None
        return (
            await self.session.exec(select(ButtonActionRow).where(ButtonActionRow.id == action_id))
        ).first()
