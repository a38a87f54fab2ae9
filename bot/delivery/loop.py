"""Background delivery: one sender task per process, off the request path.

Inbound handlers and the planner only enqueue and ``wake()`` the loop; the loop drains the
outbox until it is empty, then sleeps until woken (or ``idle`` seconds pass, so a row that
became due later, a retry or a deferred message, still goes out). ``stop()`` lets the
message in flight finish and gives the rest of the claimed batch back to the queue.

``lanes`` drains run side by side, each with its own claimed batch and one message in
flight, sharing the process's send budget: while one lane waits for the platform's answer
another commits its settled row, so a broadcast is not limited by one round trip plus one
commit per message (measured in ``bench/``). A crash can then duplicate at most one message
per lane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class DeliveryLoop:
    def __init__(
        self,
        drain: Callable[[], Awaitable[int]],
        request_stop: Callable[[bool], None],
        idle: float = 1.0,
        lanes: int = 1,
    ) -> None:
        self._drain = drain
        self._request_stop = request_stop
        self.idle = idle
        self.lanes = max(1, lanes)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._stopping = False
        self._request_stop(False)
        self._task = asyncio.create_task(self._run(), name="kompis-delivery")

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle)
            self._wake.clear()
            try:
                while not self._stopping and await self._drain_lanes():
                    pass  # something went out: look again before sleeping
            except Exception:  # a failing drain must not end delivery; the next wake retries
                log.exception("delivery failed")

    async def _drain_lanes(self) -> int:
        """Every lane drains until it finds nothing to claim; how many rows they settled.
        One lane's failure does not cut the others short; it is raised once all are done."""
        if self.lanes == 1:
            return await self._drain()
        done = await asyncio.gather(
            *(self._drain() for _ in range(self.lanes)), return_exceptions=True
        )
        for outcome in done:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(n for n in done if isinstance(n, int))

    async def stop(self) -> None:
        """Finish the send in flight, release the claimed rest, end the task."""
        self._stopping = True
        self._request_stop(True)
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        self._request_stop(False)  # an inline drain (the demo, a test) works again
