"""Which outbox rows a claim may take (``bot.storage.claims``), and the claimed row read back
as an ``OutboxItem``: SQL expressions over the outbox table, no session."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, exists, not_, or_, tuple_

from bot.domain.messages import Address, Button
from bot.storage.outbox import OutboxItem, OutboxStatus
from bot.storage.tables import IdentityRow, OutboxRow

OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]
IDENTITY: Table = IdentityRow.__table__  # type: ignore[attr-defined]
PENDING, SENDING = OutboxStatus.PENDING.value, OutboxStatus.SENDING.value
# An arbitrary constant naming the recipients' claim locks (the bytes of "komp"); the
# second key of each lock is the person's id, or a hash of a bare address.
RECIPIENT_LOCK_CLASS = 0x6B6F6D70


def free_of_claims() -> Any:
    """Rows whose recipient has no row under a claim (being sent, or waiting in a batch)."""
    busy = OUTBOX.alias("busy")
    return not_(exists().where(same_recipient(busy), busy.c.status == SENDING))


def same_recipient(other: Any) -> Any:
    """``other`` (an alias of the outbox) is a row to the same person, or without a person
    to the same address."""
    return or_(
        and_(OUTBOX.c.person_id.is_not(None), other.c.person_id == OUTBOX.c.person_id),
        and_(
            OUTBOX.c.person_id.is_(None),
            other.c.person_id.is_(None),
            other.c.address == OUTBOX.c.address,
        ),
    )


def behind_in_line(ids: list[int], now: datetime) -> Any:
    """PostgreSQL: the row's recipient has a due row ahead of it that this claim did not
    get (``SKIP LOCKED`` passed over it while another claim's candidates held it)."""
    ahead = OUTBOX.alias("ahead")
    order = tuple_(OUTBOX.c.priority, OUTBOX.c.not_before, OUTBOX.c.id)
    return exists().where(
        same_recipient(ahead),
        ahead.c.status == PENDING,
        ahead.c.not_before <= now,
        tuple_(ahead.c.priority, ahead.c.not_before, ahead.c.id) < order,
        ahead.c.id.not_in(ids),
    )


def servable(platforms: list[str]) -> Any:
    """Rows a worker serving ``platforms`` can settle."""
    person = OUTBOX.c.person_id
    reachable = IDENTITY.c.unreachable_at.is_(None)
    mine = exists().where(
        IDENTITY.c.person_id == person, reachable, IDENTITY.c.platform.in_(platforms)
    )
    anywhere = exists().where(IDENTITY.c.person_id == person, reachable)
    return or_(
        and_(person.is_(None), or_(OUTBOX.c.platform.in_(platforms), OUTBOX.c.platform.is_(None))),
        and_(person.is_not(None), mine),
        and_(person.is_not(None), not_(anywhere)),
    )


def claimed_item(row: Any, claim: str) -> OutboxItem:
    return OutboxItem(
        int(row["id"]),
        row["key"],
        row["person_id"],
        Address(**json.loads(row["address"])) if row["address"] else None,
        row["locale"],
        row["kind"],
        row["template"],
        json.loads(row["params"]),
        tuple(Button(*fields) for fields in json.loads(row["buttons"])),
        int(row["attempts"]),
        bool(row["late"]),
        row["not_before"],
        int(row["parts_sent"]),
        int(row["priority"]),
        claim,
        row["failing_since"],
        json.loads(row["extras"]) if row["extras"] else {},
        tuple(json.loads(row["sent_parts"])["ids"]) if row["sent_parts"] else (),
    )


def rows_touched(result: Any) -> int:
    """Rows an UPDATE touched."""
    return int(result.rowcount or 0)


def held_by(outbox_id: Any, claim: Any) -> list[Any]:
    """The row ``outbox_id``, while ``claim`` holds it for sending (values, or bound
    parameters: ``bot.storage.claim_statements``)."""
    return [OUTBOX.c.id == outbox_id, OUTBOX.c.claimed_by == claim, OUTBOX.c.status == SENDING]
