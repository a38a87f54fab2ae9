"""The outbox: every message to a person, keyed and queued; what operators see of it.

Claiming, leases and settling rows live in ``bot.storage.claims``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from bot.domain.messages import Address, Button, Outgoing
from bot.storage.base import StoreBase
from bot.storage.outbox_insert import insert_ignoring_queued
from bot.storage.tables import (
    InboundSeenRow,
    OutboxRow,
)

KEY_LENGTH = 255  # the column's size
#: rows per insert call on SQLite (one executemany each)
ENQUEUE_CHUNK = 1000


class OutboxStatus(StrEnum):
    """Where a row is in its life. ``pending`` and ``sending`` are open; the rest are final
    (``dead`` can be put back by an operator, ``kompis outbox retry``)."""

    PENDING = "pending"  # waiting for its moment (``not_before``) and a worker
    SENDING = "sending"  # claimed by a worker until ``lease_until``
    SENT = "sent"
    FAILED = "failed"  # the person is unreachable on every identity
    SKIPPED = "skipped"  # nobody to send it to
    DEAD = "dead"  # gave up: ``last_error`` says why


class Priority(IntEnum):
    """Claim order: someone waiting for a reply first, bulk last."""

    REPLY = 0
    PLANNED = 1
    BULK = 2


def priority_of(kind: str) -> Priority:
    if kind == "reply":
        return Priority.REPLY
    if kind == "broadcast":
        return Priority.BULK
    return Priority.PLANNED


def outbox_key(key: str) -> str:
    """A key that fits the column without losing what makes it unique: a longer key keeps
    its start and ends in a hash of the whole (cutting it could merge two messages)."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_LENGTH - len(digest) - 1]}#{digest}"


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
    priority: int = Priority.PLANNED
    claim: str = ""  # the claim token this item was handed out under
    failing_since: datetime | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # Outgoing.extras()
    message_ids: tuple[str, ...] = ()  # of the parts already sent


@dataclass(frozen=True)
class DeadRow:
    id: int
    key: str
    kind: str
    platform: str | None
    attempts: int
    reason: str
    failing_since: datetime | None


class OutboxQueries(StoreBase):
    """Queue messages; counts, dead rows and retention for operators."""

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
        # planned messages of one day share their params (bot.features.reminders.Planned):
        # each distinct object is encoded once (kept here, so its id stays its own)
        encoded: dict[int, tuple[dict[str, Any], str]] = {}
        for item in items:
            if (params := encoded.get(id(item.params))) is None:
                params = encoded[id(item.params)] = (
                    item.params,
                    json.dumps(item.params, ensure_ascii=False),
                )
            key = outbox_key(item.key or f"{item.kind}:{item.person_id}:{uuid.uuid4().hex}")
            rows[key] = {
                "key": key,
                "person_id": item.person_id,
                "kind": item.kind,
                "address": json.dumps(asdict(item.address)) if item.address else None,
                "locale": item.locale,
                "template": item.template,
                "params": params[1],
                "buttons": json.dumps(
                    [[b.label, b.action, b.args] for b in item.buttons], ensure_ascii=False
                )
                if item.buttons
                else "[]",
                "status": OutboxStatus.PENDING.value,
                "not_before": not_before or now,
                "created_at": now,
                "attempts": 0,
                "parts_sent": 0,
                "late": late,
                "extras": json.dumps(extras, ensure_ascii=False)
                if (extras := item.extras())
                else None,
                "priority": int(priority_of(item.kind)),
                "platform": item.address.platform
                if item.person_id is None and item.address
                else None,
                "crashes": 0,
            }
        values = list(rows.values())
        if not values:
            return 0
        if self._dialect == "postgresql":  # measured: the ORM's path is the faster here
            return sum(
                [
                    await self._insert_ignore(OutboxRow, values[i : i + 200])
                    for i in range(0, len(values), 200)
                ]
            )
        # SQLite: the compiled insert, the rows as plain tuples (bot.storage.outbox_insert)
        conn = await self.session.connection()
        return sum(
            [
                await insert_ignoring_queued(conn, values[i : i + ENQUEUE_CHUNK])
                for i in range(0, len(values), ENQUEUE_CHUNK)
            ]
        )

    async def next_pending_after(self, after: datetime) -> datetime | None:
        """The earliest ``not_before`` of a pending row later than ``after`` (simulated time
        stops there, so a message held for quiet hours or a snooze goes out on its moment)."""
        found = await self.session.exec(
            select(func.min(OutboxRow.not_before)).where(
                OutboxRow.status == OutboxStatus.PENDING, OutboxRow.not_before > after
            )
        )
        moment = found.one()
        return moment if isinstance(moment, datetime) else None

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

    async def sent_params(
        self, person_id: int, template: str, address: Address, message_id: str
    ) -> dict[str, Any] | None:
        """The parameters of the ``template`` message to ``person_id`` that went out as
        ``message_id`` at ``address`` (which prompt a reply answers)."""
        rows = (
            await self.session.exec(
                select(OutboxRow.params, OutboxRow.sent_parts).where(
                    OutboxRow.person_id == person_id,
                    OutboxRow.template == template,
                    col(OutboxRow.sent_parts).is_not(None),
                )
            )
        ).all()
        for params, sent_parts in rows:
            stored = json.loads(sent_parts or "{}")
            if Address(**stored["address"]) == address and message_id in stored["ids"]:
                return dict(json.loads(params))
        return None

    async def outbox_counts(self) -> dict[str, int]:
        rows = (
            await self.session.exec(
                select(OutboxRow.status, func.count()).group_by(col(OutboxRow.status))
            )
        ).all()
        return {status: count for status, count in rows}

    async def dead_rows(self, limit: int = 50) -> list[DeadRow]:
        """The rows given up on, newest failures first, with the reason."""
        rows = (
            await self.session.exec(
                select(OutboxRow)
                .where(OutboxRow.status == OutboxStatus.DEAD)
                .order_by(col(OutboxRow.id).desc())
                .limit(limit)
            )
        ).all()
        return [
            DeadRow(
                r.id or 0,
                r.key,
                r.kind,
                r.platform,
                r.attempts,
                r.last_error or "",
                r.failing_since,
            )
            for r in rows
        ]

    async def retry_dead(self, now: datetime, ids: Iterable[int] | None = None) -> int:
        """Put dead rows (all, or those with these ids) back in the queue with a fresh retry
        horizon. Returns how many."""
        query = update(OutboxRow).where(col(OutboxRow.status) == OutboxStatus.DEAD)
        if ids is not None:
            query = query.where(col(OutboxRow.id).in_(list(ids)))
        result = await self.session.exec(
            query.values(
                status=OutboxStatus.PENDING,
                not_before=now,
                attempts=0,
                crashes=0,
                failing_since=None,
                claimed_by=None,
                lease_until=None,
                send_started_at=None,
            )
        )
        return int(result.rowcount or 0)

    async def purge_before(self, moment: datetime) -> tuple[int, int]:
        """Retention: delete settled outbox rows (sent, failed, skipped) and inbound event
        ids older than ``moment``. Dead rows stay until an operator retries them. Returns
        (outbox rows, inbound ids) deleted."""
        settled = [OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SKIPPED]
        outbox = await self.session.exec(
            delete(OutboxRow).where(
                col(OutboxRow.status).in_(settled),
                col(OutboxRow.created_at) < moment,
                (col(OutboxRow.sent_at) < moment) | col(OutboxRow.sent_at).is_(None),
            )
        )
        seen = await self.session.exec(
            delete(InboundSeenRow).where(col(InboundSeenRow.seen_at) < moment)
        )
        return int(outbox.rowcount or 0), int(seen.rowcount or 0)
