"""What crosses the boundary between transports and features, free of any platform type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Address:
    """Where a message goes on one platform: a chat (Telegram), a DM channel (Slack), a console."""

    platform: str
    chat_id: str
    workspace: str = ""  # Slack team id; empty elsewhere
    thread: str | None = None


#: what an inbound event is (``Inbound.kind``)
MESSAGE = "message"  # a text, or a button press when ``action`` is set
EDITED = "edited"  # a correction of an earlier text (``message_id`` names it)
BLOCKED = "blocked"  # the person blocked the bot or removed it: unreachable from now on
REFUSED = "refused"  # a button that is not this person's (forwarded, forged, expired)
GROUP = "group"  # a command in a group chat: Kompis answers only in private chats


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: a text message, or a button press (``action``)."""

    platform: str
    user_id: str
    chat_id: str
    text: str = ""
    action: str | None = None  # e.g. "done:organisasjon/forarbeid/gruppeoppgave"
    event_id: str | None = None  # platform's id, for de-duplicating redeliveries
    workspace: str = ""
    display_name: str = ""
    locale_hint: str | None = None  # the platform's idea of the person's language
    kind: str = MESSAGE
    message_id: str | None = None  # the platform's id of the person's message


@dataclass(frozen=True)
class Button:
    """A button: ``label`` is an English msgid translated at render time; ``args`` fill its
    ``%(name)s`` placeholders (plain strings or LocalText dicts)."""

    label: str
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """An intent to tell one person something; rendered late, in their locale, for their platform.

    ``params`` must be JSON-serialisable: it is stored in the outbox until sent.
    ``key`` makes the message idempotent: enqueueing the same key twice sends it once.
    """

    person_id: int | None
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    key: str | None = None
    kind: str = "reply"
    address: Address | None = None  # only for someone Kompis does not know (person_id None)
    locale: str | None = None  # only with ``address``


@dataclass(frozen=True)
class Rendered:
    """A message ready for one platform: plain text plus buttons with translated labels."""

    text: str
    buttons: tuple[Button, ...] = ()


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, preferring paragraph, line and
    word boundaries, so a long message is split rather than refused by the platform."""
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut <= limit // 4:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunk, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if chunk:
            chunks.append(chunk)
    if rest.strip() or not chunks:
        chunks.append(rest)
    return chunks
