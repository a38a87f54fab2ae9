"""The timer: an APScheduler 3.x ``AsyncIOScheduler`` that only ticks.

Two interval jobs with fixed ids, ``plan`` (queue what is due, then housekeeping) and
``drain`` (release claims whose lease ran out, then send what is queued). Neither holds
state: the database is the truth, so a missed or doubled tick is harmless (planning is
idempotent by outbox key, draining claims rows). Every drain tick releases stale claims,
whoever made them, so a worker restarted soon after a crash, or a live worker next to a dead
one, picks up the dead one's rows once their lease runs out. ``coalesce`` and
``max_instances=1`` make a late or slow tick run once, not in a burst. The jobs live in the
default in-memory job store on purpose: APScheduler 3 cannot share a job store between
processes, and there is nothing in them worth persisting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.log import report_error

log = logging.getLogger(__name__)

PLAN_JOB = "kompis-plan"
DRAIN_JOB = "kompis-drain"

Tick = Callable[[], Awaitable[object]]


class Ticker:
    """Runs ``plan`` (then ``housekeeping``) and ``recover`` + ``drain`` every ``seconds``;
    ``recover`` also once on start."""

    def __init__(
        self,
        plan: Tick,
        drain: Tick,
        recover: Tick,
        seconds: float,
        scheduler: AsyncIOScheduler | None = None,
        housekeeping: Tick | None = None,
    ) -> None:
        self.plan = plan
        self.drain = drain
        self.recover = recover
        self.housekeeping = housekeeping
        self.seconds = seconds
        self.scheduler = scheduler or AsyncIOScheduler()
        self._running: set[asyncio.Task[object]] = set()

    async def start(self) -> None:
        """Return rows a crashed process left claimed (once their lease ran out), then start
        ticking (needs a running event loop)."""
        await self.recover()
        for job_id, func in ((PLAN_JOB, self._plan), (DRAIN_JOB, self._drain)):
            self.scheduler.add_job(
                func,
                "interval",
                seconds=self.seconds,
                id=job_id,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                # Ticks are idempotent: a late one should still run, once (coalesce).
                misfire_grace_time=None,
            )
        self.scheduler.start()

    def stop(self) -> None:
        """No new ticks; a tick under way goes on (``wait`` for it)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def wait(self) -> None:
        """Until the ticks under way have finished (after ``stop``)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _plan(self) -> None:
        await self._tick(self._plan_once, "plan")

    async def _drain(self) -> None:
        await self._tick(self._drain_once, "drain")

    async def _plan_once(self) -> None:
        await self.plan()
        if self.housekeeping is not None:
            await self.housekeeping()

    async def _drain_once(self) -> None:
        await self.recover()
        await self.drain()

    async def _tick(self, work: Callable[[], Awaitable[None]], source: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        # A failing tick must not kill the timer; the next tick tries again.
        try:
            await work()
        except Exception as exc:
            report_error(source, exc)
        finally:
            if task is not None:
                self._running.discard(task)
