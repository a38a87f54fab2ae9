"""The sender's per-message statements as work for the direct thread (``storage.direct``):
each function takes the thread's connection, inside the transaction ``run_direct`` opens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, bindparam, select

from bot.storage.claim_rows import OUTBOX, rows_touched
from bot.storage.claim_statements import Call, begin_send_call
from bot.storage.outbox import OutboxStatus

_STATUS = select(OUTBOX.c.status).where(OUTBOX.c.id == bindparam("row"))
_OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)

#: (the claim still holds the row, so it was marked begun; the row is settled or gone)
Held = tuple[bool, bool]


def begin(connection: Connection, outbox_id: int, claim: str, lease: timedelta) -> Held:
    """``ClaimQueries.begin_send``; when the claim no longer holds the row, also whether it
    was settled meanwhile (merged into another message) rather than released."""
    if rows_touched(connection.execute(*begin_send_call("sqlite", outbox_id, claim, lease))):
        return True, False
    status = connection.execute(_STATUS, {"row": outbox_id}).scalar()
    return False, status is None or status not in _OPEN


def settle_and_begin(
    connection: Connection, settle: Call, ahead: tuple[int, str] | None, lease: timedelta
) -> Held | None:
    """Run ``settle`` (a ``finish_call``), then ``begin`` the row ``ahead`` (id, claim), if
    any, in the same transaction."""
    connection.execute(*settle)
    return None if ahead is None else begin(connection, *ahead, lease)
