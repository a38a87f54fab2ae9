"""The small, safe markup of ``Rendered.text``, which each transport renders for its platform.

Templates write it; nothing else can:

- ``**bold**`` and ``_italic_`` (within one line; they may nest, and a marker without its
  partner on the same line stays literal),
- ``[text](https://example.org)``: a link, only to ``http`` or ``https`` addresses,
- a line starting with ``- ``: a list item,
- a backslash makes the next character literal: ``\\*``, ``\\_``, ``\\[``, ``\\]``,
  ``\\-``, ``\\\\``.

Every value a template prints (``{{ ... }}``, translations included) passes through
``escape`` in the renderer, so a name, an answer or a title can never become formatting or a
link. ``parse`` turns the markup into lines of ``Span``; ``plain`` is the readable text without
markup (console, logs, Slack's notification text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ESCAPABLE = frozenset("\\*_[]-()")
_LINK = re.compile(r"\[((?:\\.|[^\\\]])*)\]\(((?:\\.|[^\\)\s])*)\)")
_URL = re.compile(r"https?://[^\s<>\"]+\Z")
_UNESCAPE = re.compile(r"\\([\\*_\[\]\-()])")
BULLET = "- "
_ESCAPES = str.maketrans({c: "\\" + c for c in "\\*_[]"})
_LINE_DASH = re.compile(r"(?m)^-")


@dataclass(frozen=True)
class Span:
    """A run of literal text with its formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Line:
    """One line of a message: a list item (``bullet``) or not, made of spans."""

    spans: tuple[Span, ...]
    bullet: bool = False


def escape(value: str) -> str:
    """``value`` as literal text in the markup: markers backslashed, and a ``-`` that would
    start a line (a list item) too."""
    return _LINE_DASH.sub(r"\\-", value.translate(_ESCAPES))


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


def _closes(line: str, marker: str, start: int) -> bool:
    """Whether an unescaped ``marker`` follows ``start`` on this line."""
    i = start
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line.startswith(marker, i):
            return True
        i += 1
    return False


@lru_cache(maxsize=4096)
def _parse_line(line: str) -> tuple[Line, frozenset[int]]:
    """The line's spans, and the offsets a split must not cut before (inside a span, or
    right after an escaping backslash). Cached: a broadcast renders the same lines for
    every recipient, each of them more than once (Slack's blocks and fallback text)."""
    bullet = line.startswith(BULLET)
    offset = len(BULLET) if bullet else 0
    spans: list[Span] = []
    unsafe: set[int] = set()
    bold = italic = False
    opened = {"**": -1, "_": -1}
    buf: list[str] = []

    def flush() -> None:
        if buf:
            spans.append(Span("".join(buf), bold, italic))
            buf.clear()

    i = offset
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPABLE:
            buf.append(line[i + 1])
            unsafe.add(i + 1)
            i += 2
            continue
        marker = "**" if line.startswith("**", i) else "_" if c == "_" else ""
        if marker:
            on = bold if marker == "**" else italic
            if on or _closes(line, marker, i + len(marker)):
                flush()
                if on:
                    unsafe.update(range(opened[marker] + 1, i + len(marker)))
                opened[marker] = i
                if marker == "**":
                    bold = not bold
                else:
                    italic = not italic
                i += len(marker)
                continue
        if c == "[":
            link = _LINK.match(line, i)
            url = _unescape(link.group(2)) if link else ""
            if link and _URL.match(url):
                flush()
                spans.append(Span(_unescape(link.group(1)), bold, italic, url))
                unsafe.update(range(i + 1, link.end()))
                i = link.end()
                continue
        buf.append(c)
        i += 1
    flush()
    return Line(tuple(spans), bullet), frozenset(unsafe)


def parse(text: str) -> list[Line]:
    """The markup as lines of spans; a line feed always ends a span."""
    return [_parse_line(line)[0] for line in text.split("\n")]


def unsafe_cuts(text: str) -> set[int]:
    """Offsets in ``text`` where a split would cut a span or an escape in half."""
    found: set[int] = set()
    start = 0
    for line in text.split("\n"):
        found.update(start + n for n in _parse_line(line)[1])
        start += len(line) + 1
    return found


def plain(text: str) -> str:
    """Readable text without markup: bold and italic dropped, links as "text (url)", list
    items as "- " lines."""
    lines = []
    for line in parse(text):
        body = "".join(
            f"{s.text} ({s.url})" if s.url and s.url != s.text else s.text for s in line.spans
        )
        lines.append(BULLET + body if line.bullet else body)
    return "\n".join(lines)
