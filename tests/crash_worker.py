"""A delivery process for the crash and worker tests, started the way `kompis run` starts:
the ``Kompis`` composition, ``start()`` (migrations), its ticker (which releases stale claims
every tick) and, beside the ticker, a background drain loop like the platforms' delivery
loop, so two drains run concurrently in the process as they do in production. It exits 0
once the outbox has nothing open, after a graceful ``stop()``.

Its transport is the platform: it records every send in a file (one append per line),
as two lines, ``<pid> <task> begin <number>`` before and ``<pid> <task> end <number>`` after
the act of sending, so whatever a SIGKILL or SIGSTOP interrupts, the file tells what went out.

Usage: python -m tests.crash_worker DATABASE_URL RECORD LEASE_SECONDS TICK_SECONDS BATCH
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys

from bot.app import Kompis
from bot.domain.catalog import Catalog
from bot.domain.clock import SystemClock
from bot.domain.messages import Address, Rendered
from bot.settings import Settings
from bot.storage.repo import unit
from bot.transports.base import Limits

log = logging.getLogger(__name__)


class RecordingTransport:
    """Records ``begin``/``end`` of each message's number («number» in its text)."""

    platform = "memory"
    max_text = 4096
    limits: Limits | None = None

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.pid = os.getpid()

    def _record(self, what: str, number: str) -> None:
        # The drain (task) sending it, too: each concurrent drain has its own one in flight.
        task = id(asyncio.current_task())
        # One write(2) of one line to an O_APPEND file: once it returns, the line is in the
        # kernel's page cache and survives a SIGKILL of this process (fsync would only add
        # surviving a power cut, which this test does not simulate).
        os.write(self.fd, f"{self.pid} {task} {what} {number}\n".encode())

    async def send(self, address: Address, message: Rendered) -> str:
        match = re.search(r"[«”]([^»”]+)[»”]", message.text)  # nb/nn « », sv ” ”
        assert match, message.text
        self._record("begin", match.group(1))
        await asyncio.sleep(0.001)  # the platform's round trip
        self._record("end", match.group(1))
        return match.group(1)


async def main(url: str, record: str, lease: float, tick: float, batch: int) -> None:
    settings = Settings(database_url=url, outbox_lease_seconds=lease, tick_seconds=tick)
    app = Kompis(settings, SystemClock(), {"memory": RecordingTransport(record)}, Catalog())
    await app.start()
    await app.ticker.start()

    async def delivery_loop() -> None:
        while True:
            try:
                await app.sender.drain(limit=batch)
            except Exception:  # e.g. the server ended a session of a stopped process
                log.exception("drain failed")
            await asyncio.sleep(tick / 2)

    loop = asyncio.create_task(delivery_loop())
    while True:
        await asyncio.sleep(tick)
        try:
            async with unit(app.db) as store:
                counts = await store.outbox_counts()
        except Exception:
            log.exception("counting failed")
            continue
        if not counts.get("pending") and not counts.get("sending"):
            break
    await app.stop()  # graceful: nothing new is claimed, the loop's drain comes back empty
    loop.cancel()


def run(args: list[str]) -> None:
    url, record, lease, tick, batch = args[:5]
    asyncio.run(main(url, record, float(lease), float(tick), int(batch)))


if __name__ == "__main__":
    run(sys.argv[1:6])
