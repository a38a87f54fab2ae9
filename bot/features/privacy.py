"""``mydata`` (a file with everything Kompis stores about you) and ``forget`` (delete it all,
after a yes). A reflection shared anonymously stays, without a name (``bot.storage.erase``).

``forget`` asks first: a button or a typed yes deletes, anything else keeps everything. The
answer after the deletion goes to the chat address: the person it would go to is gone.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import cast

from bot.domain.messages import Address, Attachment, Button, Outgoing
from bot.domain.ports_privacy import PrivacyPort
from bot.domain.ports_relay import RelayPort
from bot.domain.privacy import document, to_json
from bot.features import conversation
from bot.features.buddy_intro import buddy_left
from bot.features.context import Context
from bot.rendering.i18n import N_

#: typed while Kompis asks "delete everything?"
YES = {"yes", "y", "ja", "j", "jo", "ok", "okay", "okei", "slett", "radera", "delete"}
MEDIA_TYPE = "application/json"
#: how long the question stays open
ANSWER_WITHIN = timedelta(minutes=15)


def _store(ctx: Context) -> PrivacyPort:
    return cast(PrivacyPort, ctx.store)


async def mydata(ctx: Context, _argument: str) -> None:
    """Everything stored about the person, as a JSON file attached to the answer."""
    rows = await _store(ctx).personal_data(ctx.person.id)
    content = to_json(document(ctx.person.id, rows, ctx.now)).encode("utf-8")
    day = ctx.today.isoformat()
    ctx.reply("mydata_ready", buttons=(Button(N_("Delete my data"), "forget"),))
    attachment = Attachment(
        f"kompis-mydata-{day}.json", MEDIA_TYPE, base64.b64encode(content).decode("ascii")
    )
    ctx.replies[-1] = replace(ctx.replies[-1], attachment=attachment)


async def forget(ctx: Context, _argument: str) -> None:
    """Ask before deleting anything."""
    await conversation.start(ctx, conversation.FORGET)
    ctx.reply(
        "forget_confirm",
        buttons=(
            Button(N_("Yes, delete everything"), "forget_yes"),
            Button(N_("No, keep my data"), "forget_no"),
        ),
    )


def _open(ctx: Context) -> bool:
    """The question was asked and not long ago: a yes days later is not an answer to it."""
    waiting = conversation.waiting(ctx, conversation.FORGET)
    return waiting is not None and ctx.now - waiting.since <= ANSWER_WITHIN


async def yes(ctx: Context, _argument: str) -> None:
    """The yes button: delete, if the question is still open (else it is asked again)."""
    if not _open(ctx):
        await forget(ctx, "")
        return
    await _erase(ctx)


async def no(ctx: Context, _argument: str) -> None:
    await conversation.end(ctx, conversation.FORGET)
    ctx.reply("forget_kept")


async def typed(ctx: Context, text: str) -> None:
    """Free text while Kompis asks: yes deletes; no, or anything else, keeps everything."""
    if text.strip().lower().rstrip(".!") in YES:
        await yes(ctx, "")
    else:
        await no(ctx, "")


async def _erase(ctx: Context) -> None:
    locale = ctx.locale
    # their buddy groups end and the others are told (without the name being erased)
    await buddy_left(cast(RelayPort, ctx.store), ctx.person.id, ctx.now)
    await _store(ctx).forget_person(ctx.person.id)
    ctx.conversation = None  # deleted with the person
    inbound = ctx.inbound
    ctx.replies = [
        Outgoing(
            None,
            "forget_done",
            key=f"forgotten:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}",
            address=Address(inbound.platform, inbound.chat_id, inbound.workspace),
            locale=locale,
        )
    ]
