"""Pure converters between Slack's payloads and Kompis's messages, and the error mapping.

No network here: ``escape`` makes text literal in mrkdwn, ``blocks`` builds Block Kit from a
rendered message within Slack's limits, ``message_inbound`` and ``action_inbound`` read Bolt
payloads, ``pressed_blocks`` shows a pressed message's state, ``transport_error`` maps
slack-sdk's exceptions to ``TransportError``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.markup import Span, parse, plain
from bot.domain.messages import MESSAGE, Button, Inbound, Rendered, split_text
from bot.transports.base import TransportError

PLATFORM = "slack"
#: a section's text limit; the sender splits longer text into several messages
MAX_TEXT = 3000
MAX_BLOCKS = 50  # per message (modals and Home: 100)
MAX_ACTIONS = 25  # elements in one actions block
MAX_BUTTON_TEXT = 75
#: the token no longer works: the workspace removed Kompis (or revoked it)
WORKSPACE_GONE = ("invalid_auth", "token_revoked", "account_inactive", "not_authed")
#: this person's DM cannot be written to any more
PERSON_GONE = ("user_not_found", "channel_not_found", "not_in_channel", "user_disabled")
ACTION_PREFIX = "kompis-"


#: mrkdwn has no escape character: a zero-width space after a marker keeps it from pairing
_ZWSP = "\u200b"
_MARKERS = str.maketrans({c: c + _ZWSP for c in "*_~`"})


def escape(text: str) -> str:
    """Text literal in Slack mrkdwn: ``&``, ``<`` and ``>`` escaped, so nobody can write
    ``<!channel>``, a mention or a link into a message Kompis sends, and the formatting
    markers ``* _ ~ ` `` broken by a zero-width space, so nobody can write bold either."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.translate(_MARKERS)


def mrkdwn(markup: str) -> str:
    """A rendered message's markup as Slack mrkdwn: ``*bold*``, ``_italic_``, ``<url|text>``,
    list items as "• " lines, all other text literal."""
    return "\n".join(
        ("• " if line.bullet else "") + "".join(_mrkdwn_span(s) for s in line.spans)
        for line in parse(markup)
    )


def _mrkdwn_span(span: Span) -> str:
    out = escape(span.text)
    if span.url:
        url = span.url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
        out = f"<{url.replace('|', '%7C')}|{out}>"
    if span.italic and out.strip():
        out = f"_{out}_"
    if span.bold and out.strip():
        out = f"*{out}*"
    return out


def _label(button: Button) -> str:
    label = button.label
    return label if len(label) <= MAX_BUTTON_TEXT else label[: MAX_BUTTON_TEXT - 1] + "…"


def blocks(message: Rendered, ids: list[str]) -> list[dict[str, Any]]:
    """A section with the (already split) text, then the buttons carrying opaque ids, at
    most 25 to an actions block. More than fit in 50 blocks is a programming error."""
    found: list[dict[str, Any]] = []
    for part in _sections(message.text):
        found.append({"type": "section", "text": {"type": "mrkdwn", "text": part}})
    pairs = list(zip(message.buttons, ids, strict=True))
    for start in range(0, len(pairs), MAX_ACTIONS):
        elements = [
            {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}{start + n}",
                "text": {"type": "plain_text", "text": _label(button), "emoji": True},
                "value": action_id,
            }
            for n, (button, action_id) in enumerate(pairs[start : start + MAX_ACTIONS])
        ]
        block_id = f"kompis-actions-{start}"
        found.append({"type": "actions", "block_id": block_id, "elements": elements})
    if len(found) > MAX_BLOCKS:
        raise ValueError(f"a Slack message holds at most {MAX_BLOCKS} blocks, not {len(found)}")
    return found


def _sections(markup: str) -> list[str]:
    """The mrkdwn of each section: the markup split (between spans) until each part's
    mrkdwn, escapes included, fits a section, and rendered part by part."""
    found: list[str] = []
    limit = MAX_TEXT
    while True:
        found = [mrkdwn(part) for part in split_text(markup, limit) if part.strip()]
        if all(len(text) <= MAX_TEXT for text in found) or limit < 100:
            return [text[:MAX_TEXT] for text in found]
        limit = limit * 3 // 4


def fallback(message: Rendered) -> str:
    """The top-level ``text`` (notifications, screen readers): the text without Kompis's
    markup, escaped."""
    return escape(plain(message.text)) or " "


def message_inbound(event: dict[str, Any], team_id: str, event_id: str | None) -> Inbound | None:
    """A person's text in their DM with Kompis (an answer in a thread names the thread's
    first message as ``reply_to``; a shared file is ``media``), or ``None`` for anything else
    (channels, bots, edits and deletions, joins)."""
    subtype = event.get("subtype")
    media = subtype == "file_share"
    if event.get("channel_type") != "im" or (subtype and not media) or event.get("bot_id"):
        return None
    user, text = event.get("user"), event.get("text")
    if not user or text is None:
        return None
    ts, thread = str(event.get("ts", "")), str(event.get("thread_ts") or "")
    return Inbound(
        PLATFORM,
        str(user),
        str(event.get("channel", "")),
        text=str(text),
        event_id=event_id,
        workspace=team_id,
        kind=MESSAGE,
        message_id=ts or None,
        reply_to=thread if thread and thread != ts else None,  # an answer in a thread
        media=media,
    )


def action_inbound(body: dict[str, Any]) -> Inbound | None:
    """A button of Kompis's pressed: the opaque id as ``action`` (resolved by the caller),
    the pressed message's ``ts`` as ``message_id``."""
    actions = body.get("actions") or []
    if not actions or not str(actions[0].get("action_id", "")).startswith(ACTION_PREFIX):
        return None
    action = actions[0]
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return Inbound(
        PLATFORM,
        str(user.get("id", "")),
        str(channel),
        action=str(action.get("value", "")),
        event_id=f"action:{channel}:{ts}:{action.get('action_ts', '')}",
        workspace=str(team),
        message_id=str(ts) if ts else None,
    )


def pressed_blocks(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]] | None:
    """The pressed message as it should read now: its content without the buttons, and a
    line saying which one was pressed (so it cannot be pressed twice by mistake)."""
    message = body.get("message") or {}
    original = message.get("blocks")
    if not isinstance(original, list):
        return None
    kept = [b for b in original if b.get("type") != "actions"]
    label = ((body.get("actions") or [{}])[0].get("text") or {}).get("text", "")
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"✓ {escape(label)}"}]})
    return str(message.get("text") or " "), kept


def transport_error(exc: Exception) -> TransportError:
    """slack-sdk's exception as a ``TransportError``: 429 with its ``Retry-After``; a token
    that stopped working or a person gone as unreachable, naming the reason; 5xx and
    network failures retryable; any other refusal final."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = str(exc.response.get("error", "")) if exc.response.data else ""
        if status == 429:
            after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            seconds = float(after) if after and str(after).replace(".", "", 1).isdigit() else 1.0
            return TransportError("Slack: ratelimited", retryable=True, retry_after=seconds)
        if status >= 500:
            return TransportError(f"Slack: HTTP {status}", retryable=True)
        if error in WORKSPACE_GONE:
            return TransportError(
                f"Slack: {error} (workspace gone)", retryable=False, unreachable=True
            )
        if error in PERSON_GONE:
            return TransportError(f"Slack: {error}", retryable=False, unreachable=True)
        return TransportError(f"Slack: {error or f'HTTP {status}'}", retryable=False)
    if isinstance(exc, ClientError | TimeoutError | SlackClientError):
        return TransportError(f"Slack: {type(exc).__name__}", retryable=True)
    return TransportError(f"Slack: {type(exc).__name__}", retryable=False)


def why(exc: Exception) -> str:
    """A failure in one line, never a token."""
    return str(exc) if isinstance(exc, TransportError) else str(transport_error(exc))
