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
    """Read, set (replacing any other) and clear a person's conversation state.

    What a unit read or wrote is kept for the rest of the unit (this table is written only
    here): an inbound message asks for it several times (the receiver, the dispatcher, the
    feature that answers), and a person with none would be looked up again each time."""

    _conversations: dict[int, Conversation | None]

    def _known(self) -> dict[int, Conversation | None]:
        try:
            return self._conversations
        except AttributeError:
            self._conversations = {}
            return self._conversations

    async def conversation(self, person_id: int) -> Conversation | None:
        known = self._known()
        if person_id in known:
            return known[person_id]
        row = await self.session.get(ConversationRow, person_id)
        found = None if row is None else Conversation(row.kind, row.since, json.loads(row.data))
        known[person_id] = found
        return found

    async def set_conversation(
        self, person_id: int, kind: str, now: datetime, data: dict[str, Any] | None = None
    ) -> None:
        """Start waiting for ``kind``; whatever the person was in before is replaced."""
        known = self._known()
        none = person_id in known and known[person_id] is None  # looked up or cleared
        row = None if none else await self.session.get(ConversationRow, person_id)
        if row is None:
            row = ConversationRow(person_id=person_id, kind=kind, data="{}", since=now)
        row.kind, row.data, row.since = kind, json.dumps(data or {}, ensure_ascii=False), now
        self.session.add(row)
        await self.session.flush()
        known[person_id] = Conversation(kind, now, json.loads(row.data))

    async def clear_conversation(self, person_id: int, kind: str | None = None) -> bool:
        """Stop waiting (only if it is ``kind``, when given); False if there was nothing."""
        stmt = delete(ConversationRow).where(col(ConversationRow.person_id) == person_id)
        if kind is not None:
            stmt = stmt.where(col(ConversationRow.kind) == kind)
        result = await self.session.exec(stmt)
        if result.rowcount or kind is None:
            self._known()[person_id] = None  # one row per person: none is left
        return bool(result.rowcount)
