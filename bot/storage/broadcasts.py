"""Broadcasts and their recipients: create, read, cancel, correct, RSVP."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.domain.broadcast import State
from bot.domain.broadcast_records import Broadcast, Delivery, Recipient
from bot.storage.base import StoreBase
from bot.storage.outbox import OutboxStatus
from bot.storage.tables import OutboxRow
from bot.storage.tables_broadcast import BroadcastRecipientRow, BroadcastRow


class BroadcastQueries(StoreBase):
    async def add_broadcast(self, message: dict[str, Any], **values: Any) -> int:
        """A new broadcast (``values``: the columns of ``BroadcastRow``); returns its id."""
        row = BroadcastRow(message=json.dumps(message, ensure_ascii=False), **values)
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        return row.id

    async def add_recipients(
        self, broadcast_id: int, rows: Iterable[tuple[int, str, str | None]]
    ) -> None:
        """(person id, outbox key of their message, outbox key of their .ics or None)."""
        for person_id, message_key, ics in rows:
            self.session.add(
                BroadcastRecipientRow(
                    broadcast_id=broadcast_id,
                    person_id=person_id,
                    message_key=message_key,
                    ics_key=ics,
                )
            )
        await self.session.flush()

    async def broadcast(self, broadcast_id: int) -> Broadcast | None:
        row = await self.session.get(BroadcastRow, broadcast_id)
        return _broadcast(row) if row is not None else None

    async def broadcasts(self, cohort_id: str) -> list[Broadcast]:
        rows = await self.session.exec(
            select(BroadcastRow)
            .where(BroadcastRow.cohort_id == cohort_id)
            .order_by(col(BroadcastRow.send_at), col(BroadcastRow.id))
        )
        return [_broadcast(r) for r in rows.all()]

    async def broadcast_recipients(self, broadcast_id: int) -> list[Recipient]:
        rows = await self.session.exec(
            select(BroadcastRecipientRow)
            .where(BroadcastRecipientRow.broadcast_id == broadcast_id)
            .order_by(col(BroadcastRecipientRow.id))
        )
        return [_recipient(r) for r in rows.all()]

    async def broadcast_recipient(self, broadcast_id: int, person_id: int) -> Recipient | None:
        row = (
            await self.session.exec(
                select(BroadcastRecipientRow).where(
                    BroadcastRecipientRow.broadcast_id == broadcast_id,
                    BroadcastRecipientRow.person_id == person_id,
                )
            )
        ).first()
        return _recipient(row) if row is not None else None

    async def broadcast_copy(
        self, broadcast_id: int, person_id: int
    ) -> tuple[Broadcast, Recipient] | None:
        """A broadcast and one recipient of it, in one query (composing each copy)."""
        row = (
            await self.session.exec(
                select(BroadcastRow, BroadcastRecipientRow)
                .join(
                    BroadcastRecipientRow,
                    col(BroadcastRecipientRow.broadcast_id) == col(BroadcastRow.id),
                )
                .where(
                    BroadcastRow.id == broadcast_id, BroadcastRecipientRow.person_id == person_id
                )
            )
        ).first()
        return (_broadcast(row[0]), _recipient(row[1])) if row is not None else None

    async def update_recipient(self, broadcast_id: int, person_id: int, **values: Any) -> None:
        """Set ``answer``/``answered_at``, ``message_key`` or ``ics_key`` of one recipient."""
        await self.session.exec(
            update(BroadcastRecipientRow)
            .where(
                col(BroadcastRecipientRow.broadcast_id) == broadcast_id,
                col(BroadcastRecipientRow.person_id) == person_id,
            )
            .values(**values)
        )

    async def cancel_broadcast(self, broadcast_id: int, keys: Sequence[str], now: datetime) -> int:
        """Mark the broadcast cancelled and skip its queued rows; returns how many were
        skipped. A row a worker holds right now is stopped by ``compose`` reading the state."""
        await self.session.exec(
            update(BroadcastRow)
            .where(col(BroadcastRow.id) == broadcast_id)
            .values(state=State.CANCELLED.value, cancelled_at=now)
        )
        if not keys:
            return 0
        result = await self.session.exec(
            update(OutboxRow)
            .where(
                col(OutboxRow.key).in_(list(keys)),
                col(OutboxRow.status) == OutboxStatus.PENDING.value,
            )
            .values(status=OutboxStatus.SKIPPED.value, last_error="broadcast cancelled")
        )
        return int(result.rowcount or 0)

    async def correct_broadcast(
        self, broadcast_id: int, message: dict[str, Any], ics_sequence: int
    ) -> int:
        """The new text of a broadcast; returns its new version number."""
        row = await self.session.get(BroadcastRow, broadcast_id)
        assert row is not None
        row.message = json.dumps(message, ensure_ascii=False)
        row.version += 1
        row.ics_sequence = ics_sequence
        self.session.add(row)
        await self.session.flush()
        return row.version

    async def last_ics_sequence(self, cohort_id: str, gathering: str) -> int | None:
        """The highest .ics SEQUENCE any broadcast gave this gathering, if one did."""
        found = await self.session.exec(
            select(func.max(BroadcastRow.ics_sequence)).where(
                BroadcastRow.cohort_id == cohort_id, BroadcastRow.gathering == gathering
            )
        )
        value = found.one()
        return int(value) if value is not None else None

    async def deliveries(self, keys: Iterable[str]) -> dict[str, Delivery]:
        """Outbox status and platform by key."""
        wanted = list(keys)
        found: dict[str, Delivery] = {}
        for i in range(0, len(wanted), 500):
            rows = await self.session.exec(
                select(OutboxRow.key, OutboxRow.status, OutboxRow.platform).where(
                    col(OutboxRow.key).in_(wanted[i : i + 500])
                )
            )
            found |= {key: Delivery(status, platform) for key, status, platform in rows.all()}
        return found


def _broadcast(row: BroadcastRow) -> Broadcast:
    assert row.id is not None
    return Broadcast(
        id=row.id,
        cohort_id=row.cohort_id,
        targets=row.targets,
        message=json.loads(row.message),
        state=row.state,
        send_at=row.send_at,
        created_at=row.created_at,
        rsvp=row.rsvp,
        gathering=row.gathering,
        answers_until=row.answers_until,
        respect_quiet_hours=row.respect_quiet_hours,
        version=row.version,
        ics_sequence=row.ics_sequence,
        source=row.source,
        sender_id=row.sender_id,
    )


def _recipient(row: BroadcastRecipientRow) -> Recipient:
    return Recipient(row.broadcast_id, row.person_id, row.message_key, row.ics_key, row.answer)
