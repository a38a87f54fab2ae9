"""The sender's two per-message transactions: mark a row's send begun, and settle a sent row
(marking the next one begun in the same commit). On a SQLite file they run on the direct
thread (``storage.direct``: one trip, not one per statement); elsewhere as a unit."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from bot.domain.messages import Address
from bot.storage import direct_sends
from bot.storage.claim_statements import finish_call
from bot.storage.db import Database
from bot.storage.outbox import OutboxItem, OutboxStatus
from bot.storage.repo import Store, unit

log = logging.getLogger("bot.delivery.sender")


def _report(outbox_id: int, settled: bool) -> None:
    """A claimed row this worker may not send: settled meanwhile (merged into the person's
    message of the day, say: nothing to report), or released to another worker."""
    if settled:
        log.debug("outbox row %s was settled meanwhile (merged into another message)", outbox_id)
    else:
        log.warning("outbox row %s is no longer ours (lease ran out)", outbox_id)


async def not_ours(store: Store, outbox_id: int) -> None:
    _report(outbox_id, await store.settled(outbox_id))


def _held(outbox_id: int, held: direct_sends.Held) -> bool:
    ours, settled = held
    if not ours:
        _report(outbox_id, settled)
    return ours


async def begin(db: Database, item: OutboxItem, lease: timedelta) -> bool:
    """Just before a send: True if the row's claim still holds it, and then the attempt is
    counted and marked begun (``ClaimQueries.begin_send``)."""
    if db.direct:
        work = partial(direct_sends.begin, outbox_id=item.id, claim=item.claim, lease=lease)
        return _held(item.id, await db.run_direct(work))
    async with unit(db) as store:
        if await store.begin_send(item.id, item.claim, lease):
            return True
        await not_ours(store, item.id)
        return False


async def sent(
    db: Database,
    item: OutboxItem,
    now: datetime,
    sent_to: tuple[Address, list[str]],
    ahead: OutboxItem | None,
    lease: timedelta,
) -> bool | None:
    """Settle ``item`` as sent to ``sent_to`` and mark ``ahead`` begun in the same commit
    (one commit per message, not two). Returns whether ``ahead`` is still this claim's
    (None without one)."""
    settle = finish_call(
        item.id,
        OutboxStatus.SENT,
        now,
        claim=item.claim,
        platform=sent_to[0].platform,
        sent_to=sent_to,
    )
    if db.direct:
        next_row = (ahead.id, ahead.claim) if ahead is not None else None
        work = partial(direct_sends.settle_and_begin, settle=settle, ahead=next_row, lease=lease)
        held = await db.run_direct(work)
        return None if held is None or ahead is None else _held(ahead.id, held)
    async with unit(db) as store:
        await store.execute_call(settle)
        if ahead is None:
            return None
        # not alone: an asynchronous commit would hold the "sent" mark too, which a crash
        # of the database server could then undo (and the message go twice)
        if await store.begin_send(ahead.id, ahead.claim, lease, alone=False):
            return True
        await not_ours(store, ahead.id)
        return False
