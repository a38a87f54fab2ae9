"""The child process of test_crash: start Kompis, put stale claims back, drain the outbox.

Its transport appends the number of every message it sends to a file with flush + fsync
before returning, so whatever the parent's SIGKILL interrupts, the file tells what went out.
Usage: python -m tests.crash_worker DATABASE_URL SENT_LOG BATCH
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from datetime import timedelta

from bot.app import Kompis
from bot.domain.clock import SystemClock
from bot.domain.messages import Address, Rendered
from bot.settings import Settings
from bot.transports.base import Limits
from tests.helpers import shipped_catalog


class FileTransport:
    """Writes «number» of each message to ``path``, durably, as the act of sending."""

    platform = "memory"
    max_text = 4096
    limits: Limits | None = None

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, address: Address, message: Rendered) -> str:
        match = re.search(r"[«”]([^»”]+)[»”]", message.text)  # nb/nn «», sv ””
        assert match, message.text
        os.write(self.fd, f"{match.group(1)}\n".encode())
        os.fsync(self.fd)
        return match.group(1)


async def main(url: str, log_path: str, batch: int) -> None:
    transport = FileTransport(log_path)
    app = Kompis(
        Settings(database_url=url), SystemClock(), {"memory": transport}, shipped_catalog()
    )
    await app.start()
    # The previous run was killed, so every claim is stale (the restart's stale_after=0).
    await app.sender.recover(stale_after=timedelta(0))
    await app.sender.drain(limit=batch)
    await app.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
