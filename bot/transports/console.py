"""The console transport: messages printed as plain text (markup dropped, links as
"text (url)"), buttons numbered; typing a number presses
that button. Used by `kompis demo`."""

from __future__ import annotations

import base64
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.domain.markup import plain
from bot.domain.messages import Address, Attachment, Button, Inbound, Rendered
from bot.transports.base import Limits

PLATFORM = "console"


@dataclass
class ConsoleTransport:
    platform: str = PLATFORM
    max_text: int = 4096
    limits: Limits | None = None  # a terminal has no budget
    polls: bool = False  # a Choice is shown as numbered buttons
    buttons: bool = True
    out: TextIO = field(default_factory=lambda: sys.stdout)
    width: int = 78
    #: when set, only messages to this chat are printed; the others are counted in ``hidden``
    focus: str | None = None
    hidden: int = 0
    #: where a file sent with a message is saved (and the path printed); None: only named
    files: Path | None = None
    _buttons: dict[str, tuple[Button, ...]] = field(default_factory=dict)
    _count: int = 0

    async def send(self, address: Address, message: Rendered) -> str:
        self._count += 1
        if message.buttons:
            self._buttons[address.chat_id] = message.buttons
        if self.focus is not None and address.chat_id != self.focus:
            self.hidden += 1
            return str(self._count)
        corrected = " (corrects an earlier message)" if message.edit else ""
        lines = [f"Kompis → {address.chat_id}{corrected}:"]
        for paragraph in plain(message.text).splitlines():
            wrapped = textwrap.wrap(
                paragraph,
                self.width - 2,
                replace_whitespace=False,
                subsequent_indent="  " if paragraph[:2] in ("- ", "• ") else "",
            ) or [""]
            lines += ["  " + line for line in wrapped]
        if message.attachment:
            lines.append(f"  [file: {self._save(message.attachment)}]")
        if message.buttons:
            lines.append(
                "  " + "   ".join(f"[{i}] {b.label}" for i, b in enumerate(message.buttons, 1))
            )
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
        return str(self._count)

    def _save(self, attachment: Attachment) -> str:
        """The file's name, or where it was saved (the demo's folder): a terminal cannot
        show a file, so the person opens it there."""
        if self.files is None:
            return attachment.filename
        path = self.files / Path(attachment.filename).name  # never outside the folder
        path.write_bytes(base64.b64decode(attachment.content))
        return f"{attachment.filename}, saved as {path}"

    def to_inbound(self, chat_id: str, line: str) -> Inbound:
        """A typed line; a bare number presses that button of the last message with buttons."""
        text = line.rstrip("\n")
        buttons = self._buttons.get(chat_id, ())
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
            action = buttons[int(stripped) - 1].action
            return Inbound(PLATFORM, chat_id, chat_id, action=action)
        return Inbound(PLATFORM, chat_id, chat_id, text=text)
