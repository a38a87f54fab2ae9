"""Composition root: settings -> database -> curriculum -> renderer -> transports -> features ->
delivery. Start-up and shutdown order live here and nowhere else."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from bot.curriculum.loader import load_catalog_or_raise
from bot.delivery.loop import DeliveryLoop
from bot.delivery.ratelimit import default_limits
from bot.delivery.scheduler import Ticker
from bot.delivery.sender import Sender
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock, FakeClock
from bot.domain.messages import Inbound, Outgoing
from bot.errors import UserError
from bot.features.dispatcher import Dispatcher
from bot.features.reminders import Reminders
from bot.people_import import ImportResult, Progress, import_file
from bot.receiver import Receiver
from bot.rendering.renderer import Renderer
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.single import ProcessLock, acquire_single_process
from bot.transports.base import Lifecycle, Transport, has_lifecycle

log = logging.getLogger(__name__)


class Kompis:
    """One running bot: handles inbound events, plans reminders, drains the outbox."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        transports: dict[str, Transport],
        catalog: Catalog | None = None,
        worker: str = "worker-1",
        db: Database | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.catalog = catalog or load_catalog_or_raise(
            settings.content_dir, settings.schedules_dir
        )
        self.db = db or Database(settings.database_url)
        self.renderer = Renderer(settings.locales_dir)
        self.transports = transports
        default = next(iter(self.catalog.cohorts.values())).locale if self.catalog.cohorts else "nb"
        self.dispatcher = Dispatcher(self.catalog, default_locale=default)
        grace = timedelta(hours=settings.late_grace_hours)
        self.reminders = Reminders(self.catalog, first_plan_lookback=grace, late_grace=grace)
        limits = {platform: default_limits(settings, platform) for platform in transports}
        self.sender = Sender(
            self.db, self.catalog, self.renderer, clock, transports, worker, limits=limits
        )
        self.delivery = DeliveryLoop(self.sender.drain, self.sender.request_stop)
        self.ticker = Ticker(
            self.plan, self._drain_tick, self.sender.recover, settings.tick_seconds
        )
        self._process_lock: ProcessLock | None = None
        self._started: list[Lifecycle] = []
        self.receiver = Receiver(self)

    async def start(self, lock: bool = True) -> None:
        """Migrate the database and bring cohorts in line with the schedule files. With
        ``lock`` (the bot, not an organiser's command) claim it first: on SQLite only one
        process may plan and send."""
        if lock:
            self._process_lock = acquire_single_process(self.settings.database_url)
        await self.db.upgrade()
        async with unit(self.db) as store:
            for cohort in self.catalog.cohorts.values():
                await store.sync_cohort(cohort)

    async def serve(self) -> None:
        """Start the background parts, in order: the ticker (after returning stale claims),
        the delivery loop, then every transport that receives on its own."""
        await self.ticker.start()
        self.delivery.start()
        for transport in self.transports.values():
            if has_lifecycle(transport):
                started: Lifecycle = transport  # type: ignore[assignment]
                await started.start(self.receive)
                self._started.append(started)

    async def stop(self) -> None:
        """Stop in reverse: no more ticks, delivery finishes the send in flight and gives
        the rest back, transports stop receiving and close, then the database."""
        self.ticker.stop()
        if self.delivery.running:
            await self.delivery.stop()
        while self._started:
            await self._started.pop().stop()
        await self.db.dispose()
        if self._process_lock is not None:
            self._process_lock.release()
            self._process_lock = None

    async def __aenter__(self) -> Kompis:
        await self.start()
        try:
            await self.serve()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _drain_tick(self) -> int:
        """The ticker's drain: wake the delivery loop when it runs (one sender task per
        process), drain inline otherwise (tests, the demo)."""
        if self.delivery.running:
            self.delivery.wake()
            return 0
        return await self.sender.drain()

    async def receive(self, inbound: Inbound) -> None:
        """The hook transports hand inbound events to: handled and replies queued in one
        transaction, then delivery is woken; nothing is sent on the request path."""
        await self.receiver.receive(inbound)
        self.delivery.wake()

    async def handle(self, inbound: Inbound, drain: bool = True) -> None:
        """The one error funnel for inbound events: a known user error becomes a localised
        reply; anything else rolls back, apologises and is logged without personal data."""
        now = self.clock.now()
        person_id: int | None = None
        try:
            async with unit(self.db) as store:
                if inbound.event_id and not await store.first_time_seen(
                    inbound.platform, inbound.event_id, now
                ):
                    return
                person_id = await store.person_for_identity(
                    inbound.platform, inbound.user_id, inbound.workspace
                )
                if person_id is not None:
                    await store.touch_identity(
                        inbound.platform, inbound.user_id, inbound.workspace, inbound.chat_id, now
                    )
                replies = await self.dispatcher.handle(store, inbound, person_id, now)
                await store.enqueue(replies, now)
        except UserError as exc:
            await self._reply_error(inbound, person_id, exc.template, exc.params, now)
        except Exception:
            log.exception("handling a %s event failed", inbound.platform)
            await self._reply_error(inbound, person_id, "error_apology", {}, now)
        if drain:
            await self.sender.drain()

    async def _reply_error(
        self,
        inbound: Inbound,
        person_id: int | None,
        template: str,
        params: dict[str, object],
        now: datetime,
    ) -> None:
        if person_id is None:
            reply = self.dispatcher.stranger_reply(inbound)
        else:
            reply = Outgoing(
                person_id,
                template,
                dict(params),
                key=f"error:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}",
            )
        async with unit(self.db) as store:
            # The failed transaction took its "seen" mark with it; a redelivery of this
            # event must still be recognised.
            if inbound.event_id:
                await store.first_time_seen(inbound.platform, inbound.event_id, now)
            await store.enqueue([reply], now)

    async def tick(self) -> int:
        """Plan what is due and send it: what the scheduler calls every few seconds."""
        await self.plan()
        return await self.sender.drain()

    async def plan(self) -> bool:
        """Queue what is due now, unless another process is planning; True if this one did.

        The planner lock is taken inside the planning transaction (PostgreSQL
        ``pg_try_advisory_xact_lock``): it lasts exactly as long as the plan run, needs no
        dedicated connection, and dies with a crashed process. A process that finds it taken
        skips this tick; planning is idempotent, so the next tick catches up."""
        async with unit(self.db) as store:
            if not await store.try_planner_lock():
                return False
            await self.reminders.plan(store, self.clock.now())
        return True

    async def advance(
        self, clock: FakeClock, target: datetime, on_moment: Callable[[], None] | None = None
    ) -> None:
        """Simulated time (demo, tests): move ``clock`` to ``target``, stopping at every
        occasion on the way so each reminder fires on its own moment."""
        while True:
            async with unit(self.db) as store:
                held = await store.next_pending_after(clock.now())
            moments = [m for m in (self.reminders.next_moment(clock.now()), held) if m]
            moment = min(moments, default=None)
            if moment is None or moment > target:
                break
            clock.set(moment)
            if on_moment:
                on_moment()
            await self.tick()
        clock.set(target)
        await self.tick()

    async def import_participants(
        self,
        cohort_id: str,
        csv_path: Path,
        platform: str | None = None,
        *,
        update: bool = False,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Add the people of a CSV to a cohort, whole or not at all (see
        ``bot.people_import``): people known from other cohorts join this one too; changed
        details are reported, and applied with ``update``."""
        return await import_file(
            self.db,
            self.catalog.cohort(cohort_id),
            csv_path,
            self.clock.now(),
            update=update,
            platform=platform,
            progress=progress,
        )
