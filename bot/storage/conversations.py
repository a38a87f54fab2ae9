"""Conversation state: what each person's next message answers, one at a time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import col

from bot.domain.conversation import Conversation
from bot.storage.base import StoreBase
from bot.storage.tables import ConversationRow


class ConversationQueries(StoreBase):
    """Read, set (replacing any other) and clear a person's conversation state."""

    async def conversation(self, person_id: int) -> Conversation | None:
        row = await self.session.get(ConversationRow, person_id)
        if row is None:
            return None
        return Conversation(row.kind, row.since, json.loads(row.data))

    async def set_conversation(
        self, person_id: int, kind: str, now: datetime, data: dict[str, Any] | None = None
    ) -> None:
        """Start waiting for ``kind``; whatever the person was in before is replaced."""
        row = await self.session.get(ConversationRow, person_id)
        if row is None:
            row = ConversationRow(person_id=person_id, kind=kind, data="{}", since=now)
        row.kind, row.data, row.since = kind, json.dumps(data or {}, ensure_ascii=False), now
        self.session.add(row)
        await self.session.flush()

    async def clear_conversation(self, person_id: int, kind: str | None = None) -> bool:
        """Stop waiting (only if it is ``kind``, when given); False if there was nothing."""
        stmt = delete(ConversationRow).where(col(ConversationRow.person_id) == person_id)
        if kind is not None:
            stmt = stmt.where(col(ConversationRow.kind) == kind)
        result = await self.session.exec(stmt)
        return bool(result.rowcount)
