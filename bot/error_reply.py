"""The reply to an inbound event that failed: a known user error's own message, or an
apology; to someone Kompis does not know yet, the stranger's answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.domain.messages import Button, Inbound, Outgoing
from bot.features.dispatcher import Dispatcher
from bot.log import report_error
from bot.storage.db import Database
from bot.storage.repo import unit


async def reply_error(
    db: Database,
    dispatcher: Dispatcher,
    inbound: Inbound,
    person_id: int | None,
    template: str,
    params: dict[str, object],
    now: datetime,
    buttons: tuple[Button, ...] = (),
) -> None:
    """Queue the error reply; if even that fails (the database is gone, say), report it
    and give up on this event rather than raise to the transport."""
    try:
        async with unit(db) as store:
            if person_id is None:
                reply = await dispatcher.stranger_reply(store, inbound)
            else:
                reply = Outgoing(
                    person_id,
                    template,
                    dict(params),
                    buttons,
                    key=f"error:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}",
                )
            # The failed transaction took its "seen" mark with it; a redelivery of this
            # event must still be recognised.
            if inbound.event_id:
                await store.first_time_seen(inbound.platform, inbound.event_id, now)
            await store.enqueue([reply], now)
    except Exception as exc:  # the funnel must not raise
        report_error(
            "error reply",
            exc,
            {"platform": inbound.platform, "event": inbound.event_id, "template": template},
        )
