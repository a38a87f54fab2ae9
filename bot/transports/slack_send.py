"""How one rendered part reaches Slack: a new message (in a thread when it answers one), an
update of an earlier one, or, while a ``/kompis`` typed in a channel is being answered, an
ephemeral message there that only the person sees. A file goes up first, in the same chat.

slack-sdk's errors pass through; the transport turns them into ``TransportError``s."""

from __future__ import annotations

import time
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.messages import Address, Rendered
from bot.transports.slack_files import upload

#: how long after ``/kompis`` in a channel the answers go there, ephemerally (the outbox
#: sends them soon after the command, not inline)
EPHEMERAL_SECONDS = 30.0


class Ephemerals:
    """Which DMs are answering a slash command typed in a channel, and where."""

    def __init__(self) -> None:
        #: (workspace, DM) -> (channel, user, until, monotonic seconds)
        self._open: dict[tuple[str, str], tuple[str, str, float]] = {}

    def answer_in(self, team: str, dm: str, channel: str, user: str) -> None:
        """``/kompis`` typed in ``channel``: the answers to ``dm`` show there, to ``user``;
        typed in the DM itself, they are ordinary DM messages again."""
        if channel and channel != dm:
            self._open[(team, dm)] = (channel, user, time.monotonic() + EPHEMERAL_SECONDS)
        else:
            self._open.pop((team, dm), None)

    def target(self, address: Address) -> tuple[str, str] | None:
        """The (channel, user) a new message to ``address`` shows in, ephemerally; or None."""
        found = self._open.get((address.workspace, address.chat_id))
        if found is None:
            return None
        if found[2] < time.monotonic():
            del self._open[(address.workspace, address.chat_id)]
            return None
        return found[0], found[1]


async def deliver(
    client: AsyncWebClient,
    address: Address,
    message: Rendered,
    text: str,
    shown: list[dict[str, Any]],
    ephemeral: tuple[str, str] | None,
) -> str:
    """Post, update or show ``message`` (``text`` and ``shown`` are its fallback text and
    blocks); the ``ts`` of the message that now shows it."""
    if message.attachment is not None:  # the file first: a failed upload posts nothing
        await upload(client, address.chat_id, message.reply_to, message.attachment)
    if message.edit is not None:
        await client.chat_update(channel=address.chat_id, ts=message.edit, text=text, blocks=shown)
        return message.edit
    if ephemeral is not None:
        sent = await client.chat_postEphemeral(
            channel=ephemeral[0], user=ephemeral[1], text=text, blocks=shown
        )
        return str(sent.get("message_ts", ""))
    sent = await client.chat_postMessage(
        channel=address.chat_id, thread_ts=message.reply_to, text=text, blocks=shown
    )
    return str(sent["ts"])
