"""``channel`` (``kanal``): which of a person's accounts Kompis writes to, when they have
one on Slack and one on Telegram. Answers from either always count; reminders follow the
chosen one while it is reachable."""

from __future__ import annotations

from typing import cast

from bot.domain.messages import Button
from bot.domain.ports import ChannelPort
from bot.errors import UserError
from bot.features.context import Context

PLATFORM_NAMES = {"slack": "Slack", "telegram": "Telegram", "console": "Console"}


def _name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())


async def choose(ctx: Context, argument: str) -> None:
    """``channel`` lists the accounts as buttons; ``channel slack`` (or a button) chooses."""
    store = cast(ChannelPort, ctx.store)
    channels = [c for c in await store.channels(ctx.person.id) if c.reachable]
    wanted = argument.strip().lower()
    if not wanted:
        current = channels[0].platform if channels else ctx.inbound.platform
        ctx.reply(
            "channel_choose",
            current=_name(current),
            buttons=tuple(Button(_name(c.platform), f"channel:{c.identity_id}") for c in channels),
        )
        return
    found = next((c for c in channels if wanted in (str(c.identity_id), c.platform.lower())), None)
    if found is None or not await store.choose_channel(ctx.person.id, found.identity_id, ctx.now):
        raise UserError("channel_unknown", choices=[_name(c.platform) for c in channels])
    ctx.reply("channel_changed", platform=_name(found.platform))
