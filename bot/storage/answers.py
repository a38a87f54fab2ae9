"""Which platform message answered which reflection prompt (so an edit can correct it)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.storage.base import StoreBase
from bot.storage.tables import AnswerMessageRow


class AnswerMessageQueries(StoreBase):
    async def remember_answer(
        self,
        platform: str,
        chat_id: str,
        message_id: str,
        person_id: int,
        activity_ref: str,
        now: datetime,
    ) -> None:
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "message_id": message_id,
            "person_id": person_id,
            "activity_ref": activity_ref,
            "created_at": now,
        }
        await self._insert_ignore(AnswerMessageRow, values)

    async def answered_by(
        self, platform: str, chat_id: str, message_id: str
    ) -> tuple[int, str] | None:
        """(person id, activity ref) of the answer this message gave, if it gave one."""
        row = (
            await self.session.exec(
                select(AnswerMessageRow).where(
                    AnswerMessageRow.platform == platform,
                    AnswerMessageRow.chat_id == chat_id,
                    AnswerMessageRow.message_id == message_id,
                )
            )
        ).first()
        return (row.person_id, row.activity_ref) if row else None
