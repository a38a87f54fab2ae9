"""Planned messages in the outbox, as the composer sees them at send time: a person's
queued reminders: merged into one message, or released by ``resume``."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import col, select

from bot.domain.messages import Address, Button
from bot.storage.base import StoreBase
from bot.storage.outbox import OutboxItem
from bot.storage.tables import OutboxRow


class PlannedQueries(StoreBase):
    """Reminder rows of one person, for composing and for ``resume``."""

    async def queued_reminders(
        self,
        person_id: int,
        due_by: datetime | None = None,
        exclude: int | None = None,
        kinds: tuple[str, ...] = ("reminder",),
    ) -> list[OutboxItem]:
        """The person's unsent reminder rows, oldest first, without ``exclude``. With
        ``due_by``: those due by then, claimed ones included (a drain batch may hold several
        of one person's rows; the composer merges them into one message)."""
        statuses = ["pending", "sending"] if due_by is not None else ["pending"]
        query = select(OutboxRow).where(
            OutboxRow.person_id == person_id,
            col(OutboxRow.kind).in_(kinds),
            col(OutboxRow.status).in_(statuses),
        )
        if due_by is not None:
            query = query.where(OutboxRow.not_before <= due_by)
        if exclude is not None:
            query = query.where(OutboxRow.id != exclude)
        query = query.order_by(col(OutboxRow.not_before), col(OutboxRow.id))
        return [_item(r) for r in (await self.session.exec(query)).all()]

    async def planned_sent_since(
        self, person_id: int, since: datetime, kinds: tuple[str, ...]
    ) -> bool:
        """Whether the person was sent a message of one of ``kinds`` at or after ``since``."""
        query = select(OutboxRow.id).where(
            OutboxRow.person_id == person_id,
            col(OutboxRow.kind).in_(kinds),
            OutboxRow.status == "sent",
            col(OutboxRow.sent_at) >= since,
        )
        return (await self.session.exec(query.limit(1))).first() is not None


def _item(r: OutboxRow) -> OutboxItem:
    return OutboxItem(
        r.id or 0,
        r.key,
        r.person_id,
        Address(**json.loads(r.address)) if r.address else None,
        r.locale,
        r.kind,
        r.template,
        json.loads(r.params),
        tuple(Button(*fields) for fields in json.loads(r.buttons)),
        r.attempts,
        r.late,
        r.not_before,
        r.parts_sent,
    )
