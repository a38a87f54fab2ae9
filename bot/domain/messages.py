"""What crosses the boundary between transports and features, free of any platform type."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.domain.markup import escape as escape_markup
from bot.domain.markup import unsafe_cuts


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
    reply_to: str | None = None  # the platform's id of the message this one replies to
    #: a picture, a file or a voice message came with it (``text`` is its caption, if any):
    #: Kompis reads and passes on text only, and says so
    media: bool = False


@dataclass(frozen=True)
class Immediate:
    """What the platform must be told at once, while the event is being handled (not a
    message to queue): a short toast on a Telegram button press; later Slack's ``ack``."""

    toast: str | None = None


@dataclass(frozen=True)
class Button:
    """A button: ``label`` is an English msgid translated at render time; ``args`` fill its
    ``%(name)s`` placeholders (plain strings or LocalText dicts)."""

    label: str
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message (an ``.ics``, a CSV or HTML export). ``content`` is
    base64, so the intent stays JSON in the outbox."""

    filename: str
    media_type: str
    content: str


@dataclass(frozen=True)
class Choice:
    """A single-choice question. A transport may render it natively (Telegram: a quiz poll),
    else it becomes one button per option, else numbered text (``with_fallback``). Texts are
    plain strings or LocalText dicts; option ``n`` (from 1) presses ``<action>:<n>``."""

    question: Any
    options: tuple[Any, ...]
    action: str
    correct: int | None = None  # 1-based; a quiz when set
    explanation: Any = ""


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
    #: the outbox key of an earlier message this one replaces (a correction, a marked answer)
    edit_of: str | None = None
    #: the outbox key of an earlier message this one answers in its thread
    reply_to: str | None = None
    attachment: Attachment | None = None
    choice: Choice | None = None

    def extras(self) -> dict[str, Any]:
        """The optional parts, as stored with the intent in the outbox (JSON)."""
        found: dict[str, Any] = {}
        if self.edit_of:
            found["edit_of"] = self.edit_of
        if self.reply_to:
            found["reply_to"] = self.reply_to
        if self.attachment:
            found["attachment"] = asdict(self.attachment)
        if self.choice:
            found["choice"] = {**asdict(self.choice), "options": list(self.choice.options)}
        return found

    @staticmethod
    def extras_from(stored: dict[str, Any]) -> dict[str, Any]:
        """``Outgoing`` keyword arguments back from ``extras()``."""
        found: dict[str, Any] = {k: stored[k] for k in ("edit_of", "reply_to") if k in stored}
        if "attachment" in stored:
            found["attachment"] = Attachment(**stored["attachment"])
        if "choice" in stored:
            choice = stored["choice"]
            found["choice"] = Choice(**{**choice, "options": tuple(choice["options"])})
        return found


@dataclass(frozen=True)
class RenderedChoice:
    """A ``Choice`` in the recipient's language."""

    question: str
    options: tuple[str, ...]
    action: str
    correct: int | None = None
    explanation: str = ""


@dataclass(frozen=True)
class Rendered:
    """A message ready for one platform: text in the safe markup (``bot.domain.markup``;
    transports render it) plus buttons with translated labels, and
    the optional parts. ``edit``: the platform id of the message this one replaces;
    ``reply_to``: the platform id of the message it answers."""

    text: str
    buttons: tuple[Button, ...] = ()
    choice: RenderedChoice | None = None
    attachment: Attachment | None = None
    edit: str | None = None
    reply_to: str | None = None


def with_fallback(message: Rendered, polls: bool, buttons: bool) -> Rendered:
    """What a transport can render: a choice stays a choice only where polls exist; else it
    becomes one button per option; where there are no buttons either, numbered lines that
    the person answers by number. Nothing is dropped."""
    choice = message.choice
    if choice is None or polls:
        return message
    if buttons:
        options = tuple(
            Button(f"{n}. {option}", f"{choice.action}:{n}")
            for n, option in enumerate(choice.options, 1)
        )
        question = escape_markup(choice.question)
        text = "\n\n".join(p for p in (message.text, question) if p)
        return replace(message, text=text, buttons=options + message.buttons, choice=None)
    lines = [f"{n}. {escape_markup(option)}" for n, option in enumerate(choice.options, 1)]
    parts = (message.text, escape_markup(choice.question), "\n".join(lines))
    text = "\n\n".join(p for p in parts if p)
    return replace(message, text=text, choice=None)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` (markup, ``bot.domain.markup``) into chunks of at most ``limit``
    characters, preferring paragraph, line and word boundaries, never inside a formatted span
    or an escape (unless one span alone is longer than ``limit``), so a long message is split
    rather than refused by the platform and each part renders on its own."""
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        unsafe = unsafe_cuts(rest)
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        at_line = cut > limit // 4
        if not at_line:
            cut = max((n for n, c in enumerate(window) if c == " " and n not in unsafe), default=0)
        if cut <= 0:
            cut = max((n for n in range(1, limit + 1) if n not in unsafe), default=limit)
        chunk, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if not at_line and rest.startswith("-") and cut > 1:
            # the middle of a line: not a list item in the next part. Not after a cut of one
            # character, which the backslash would undo: the rest would never get shorter
            rest = "\\" + rest
        if chunk:
            chunks.append(chunk)
    if rest.strip() or not chunks:
        chunks.append(rest)
    return chunks
