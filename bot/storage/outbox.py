"""The outbox: every message to a person, keyed, claimed, settled."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from bot.domain.messages import Address, Button, Outgoing
from bot.storage.base import StoreBase
from bot.storage.tables import (
    OutboxRow,
)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    key: str
    person_id: int | None
    address: Address | None
    locale: str | None
    kind: str
    template: str
    params: dict[str, Any]
    buttons: tuple[Button, ...]
    attempts: int
    late: bool
    not_before: datetime
    parts_sent: int = 0
    extras: dict[str, Any] = field(default_factory=dict)  # Outgoing.extras()
    message_ids: tuple[str, ...] = ()  # of the parts already sent


class OutboxQueries(StoreBase):
    """Queue, claim and settle outbox rows."""

    async def enqueue(
        self,
        items: Iterable[Outgoing],
        now: datetime,
        not_before: datetime | None = None,
        late: bool = False,
    ) -> int:
        """Queue messages; an item whose key is already queued is skipped. Returns how many
        were new."""
        rows: dict[str, dict[str, Any]] = {}
        for item in items:
            key = (item.key or f"{item.kind}:{item.person_id}:{uuid.uuid4().hex}")[:255]
            rows[key] = {
                "key": key,
                "person_id": item.person_id,
                "kind": item.kind,
                "address": json.dumps(asdict(item.address)) if item.address else None,
                "locale": item.locale,
                "template": item.template,
                "params": json.dumps(item.params, ensure_ascii=False),
                "buttons": json.dumps(
                    [[b.label, b.action, b.args] for b in item.buttons], ensure_ascii=False
                ),
                "status": "pending",
                "not_before": not_before or now,
                "created_at": now,
                "attempts": 0,
                "parts_sent": 0,
                "late": late,
                "extras": json.dumps(item.extras(), ensure_ascii=False) if item.extras() else None,
            }
        values = list(rows.values())
        return sum(
            [
                await self._insert_ignore(OutboxRow, values[i : i + 200])
                for i in range(0, len(values), 200)
            ]
        )

    async def next_pending_after(self, after: datetime) -> datetime | None:
        """The earliest ``not_before`` of a pending row later than ``after`` (simulated time
        stops there, so a message held for quiet hours or a snooze goes out on its moment)."""
        found = await self.session.exec(
            select(func.min(OutboxRow.not_before)).where(
                OutboxRow.status == "pending", OutboxRow.not_before > after
            )
        )
        moment = found.one()
        return moment if isinstance(moment, datetime) else None

    async def claim(self, now: datetime, worker: str, limit: int = 100) -> list[OutboxItem]:
        """Take up to ``limit`` due pending rows for ``worker``; concurrent workers never get
        the same row (PostgreSQL: SKIP LOCKED; SQLite: one writer at a time)."""
        due = (
            select(OutboxRow.id)
            .where(OutboxRow.status == "pending", OutboxRow.not_before <= now)
            .order_by(col(OutboxRow.not_before), col(OutboxRow.id))
            .limit(limit)
        )
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list((await self.session.exec(due)).all())
        if not ids:
            return []
        await self.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.id).in_(ids))
            .values(status="sending", claimed_by=worker, claimed_at=now)
        )
        rows = (
            await self.session.exec(
                select(OutboxRow)
                .where(col(OutboxRow.id).in_(ids))
                .order_by(col(OutboxRow.not_before), col(OutboxRow.id))
            )
        ).all()
        return [
            OutboxItem(
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
                json.loads(r.extras) if r.extras else {},
                tuple(json.loads(r.sent_parts)["ids"]) if r.sent_parts else (),
            )
            for r in rows
        ]

    async def finish(
        self,
        outbox_id: int,
        status: str,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
        parts_sent: int | None = None,
        sent_to: tuple[Address, list[str]] | None = None,
    ) -> None:
        """Record the outcome of one send attempt: sent, skipped, dead, or back to pending
        (``parts_sent``: how many parts of a split message are out, so a retry resumes)."""
        values: dict[str, Any] = {
            "status": status,
            "last_error": error[:500] if error else None,
            "attempts": OutboxRow.attempts + 1,
        }
        if parts_sent is not None:
            values["parts_sent"] = parts_sent
        if sent_to is not None:
            address, ids = sent_to
            values["sent_parts"] = json.dumps({"address": asdict(address), "ids": ids})
        if status == "sent":
            values["sent_at"] = now
        if retry_at is not None:
            values["not_before"] = retry_at
        await self.session.exec(
            update(OutboxRow).where(col(OutboxRow.id) == outbox_id).values(**values)
        )

    async def sent_parts(self, key: str) -> tuple[Address, list[str]] | None:
        """Where the message with outbox ``key`` went and its platform message ids (one per
        part), once at least one part is out."""
        found = (
            await self.session.exec(select(OutboxRow.sent_parts).where(OutboxRow.key == key))
        ).first()
        if not found:
            return None
        stored = json.loads(found)
        return Address(**stored["address"]), list(stored["ids"])

    async def defer(self, outbox_id: int, not_before: datetime) -> None:
        """Put a claimed row back unsent (its chat had no send budget); not an attempt."""
        await self.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.id) == outbox_id)
            .values(status="pending", claimed_by=None, not_before=not_before)
        )

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Put rows a crashed worker had claimed back in the queue."""
        result = await self.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.status) == "sending", col(OutboxRow.claimed_at) < older_than)
            .values(status="pending", claimed_by=None)
        )
        return int(result.rowcount or 0)

    async def outbox_counts(self) -> dict[str, int]:
        rows = (
            await self.session.exec(
                select(OutboxRow.status, func.count()).group_by(col(OutboxRow.status))
            )
        ).all()
        return {status: count for status, count in rows}

    async def delete_outbox_before(self, moment: datetime) -> None:
        await self.session.exec(
            delete(OutboxRow).where(
                col(OutboxRow.status) == "sent", col(OutboxRow.sent_at) < moment
            )
        )
