"""Composition root: settings -> database -> curriculum -> renderer -> transports -> features ->
delivery. Start-up and shutdown order live here and nowhere else."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from bot.curriculum.loader import load_catalog_or_raise
from bot.delivery.loop import DeliveryLoop
from bot.delivery.ratelimit import default_limits
from bot.delivery.retention import Retention
from bot.delivery.scheduler import Ticker
from bot.delivery.sender import Sender
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock, FakeClock
from bot.domain.messages import Immediate, Inbound
from bot.error_reply import reply_error
from bot.errors import UserError
from bot.features import buddy_checkins
from bot.features.buddy_intro import introductions
from bot.features.buddy_rounds import BuddyRounds
from bot.features.dispatcher import Dispatcher
from bot.features.reminders import Reminders
from bot.log import report_error
from bot.people_import import ImportResult, Progress, import_file
from bot.receiver import PromptAnswers, Receiver
from bot.rendering.renderer import Renderer
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.single import ProcessLock, acquire_single_process
from bot.transports.base import Lifecycle, Transport, has_lifecycle

log = logging.getLogger(__name__)


def bot_database(settings: Settings) -> Database:
    """The database as a bot process (planner and sender) uses it: on PostgreSQL the server
    ends a session idle inside a transaction for longer than a claim's lease, so a stopped
    worker cannot hold locks that recovery needs."""
    return Database(
        settings.database_url, idle_in_transaction_timeout=settings.outbox_lease_seconds
    )


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
        self.db = db or bot_database(settings)
        self.renderer = Renderer(settings.locales_dir)
        self.transports = transports
        grace = timedelta(hours=settings.late_grace_hours)
        self.reminders = Reminders(self.catalog, first_plan_lookback=grace, late_grace=grace)
        self.buddy_care = buddy_checkins.BuddyCare(self.catalog)
        self.buddy_rounds = BuddyRounds(self.catalog)
        self.buddy_rounds.listeners.append(introductions(self.catalog))
        # a leader's "buddy off" / "buddy on" in chat reaches the same listeners
        self.dispatcher = Dispatcher(self.catalog, buddy_changes=self.buddy_rounds.notify)
        limits = {platform: default_limits(settings, platform) for platform in transports}
        self.sender = Sender(
            self.db,
            self.catalog,
            self.renderer,
            clock,
            transports,
            worker,
            limits=limits,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            shared_budget=not self.db.sqlite,  # several processes may send on PostgreSQL
        )
        self.delivery = DeliveryLoop(
            self.sender.drain,
            self.sender.request_stop,
            lanes=settings.delivery_lanes or (1 if self.db.sqlite else 4),
        )
        self.retention = Retention(self.db, clock, settings.retention_days)
        self.ticker = Ticker(
            self.plan,
            self._drain_tick,
            self.sender.recover,
            settings.tick_seconds,
            housekeeping=self.retention.purge,
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
        """Stop in reverse: no more ticks; transports stop taking events (those taken are
        handled); delivery finishes the send in flight and gives the rest of its claims
        back; transports close their connections; then the database."""
        self.ticker.stop()
        for transport in reversed(self._started):
            await transport.stop()
        if self.delivery.running:
            await self.delivery.stop()
        await self.sender.stop()
        await self.ticker.wait()
        while self._started:
            await self._started.pop().close()
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

    async def receive(self, inbound: Inbound) -> Immediate | None:
        """The hook transports hand inbound events to: handled and replies queued in one
        transaction, then delivery is woken; nothing is sent on the request path. Returns
        what the platform must be told at once (a toast), if anything."""
        immediate = await self.receiver.receive(inbound)
        self.delivery.wake()
        return immediate

    async def handle(
        self, inbound: Inbound, drain: bool = True, prompts: PromptAnswers | None = None
    ) -> None:
        """The one error funnel for inbound events; never raises to the transport.

        A known user error becomes a localised reply; anything else rolls back, is reported
        (``report_error``: no personal data, secrets masked) and gets a localised apology. The
        drain after it is guarded too: a queued message that cannot be sent (a reminder with a
        bad parameter, say) is the sender's to settle, not a reason to fail this event.

        ``prompts`` (the receiver's): which prompt a text answers, found before the
        dispatcher runs and remembered after it, in the same transaction."""
        now = self.clock.now()
        person_id: int | None = None
        context: dict[str, object] = {"platform": inbound.platform, "event": inbound.event_id}
        try:
            async with unit(self.db) as store:
                if inbound.event_id and not await store.first_time_seen(
                    inbound.platform, inbound.event_id, now
                ):
                    return
                # the account is marked seen and its person found in one statement
                person_id = await store.touch_identity(
                    inbound.platform, inbound.user_id, inbound.workspace, inbound.chat_id, now
                )
                context["person"] = person_id
                pending = None
                if prompts is not None and person_id is not None:
                    pending = await prompts.pending(store, inbound, person_id, now)
                replies = await self.dispatcher.handle(store, inbound, person_id, now)
                await store.enqueue(replies, now)
                if prompts is not None and pending is not None and person_id is not None:
                    await prompts.remember(store, inbound, person_id, pending, now)
        except UserError as exc:
            await reply_error(
                self.db,
                self.dispatcher,
                inbound,
                person_id,
                exc.template,
                exc.params,
                now,
                exc.buttons,
            )
        except Exception as exc:  # the funnel: report, apologise, carry on
            report_error("inbound", exc, context)
            await reply_error(
                self.db, self.dispatcher, inbound, person_id, "error_apology", {}, now
            )
        if drain:
            try:
                await self.sender.drain()
            except Exception as exc:  # the next tick retries the queue
                report_error("drain", exc, context)

    async def tick(self) -> int:
        """Plan what is due and send it: what the scheduler calls every few seconds."""
        await self.plan()
        await self.retention.purge()
        await self.sender.recover()
        return await self.sender.drain()

    async def plan(self) -> bool:
        """Queue what is due now, unless another process is planning; True if this one did.

        The planner lock is taken inside the planning transaction (PostgreSQL
        ``pg_try_advisory_xact_lock``): it lasts exactly as long as the plan run, needs no
        dedicated connection, and dies with a crashed process. A process that finds it taken
        skips this tick; planning is idempotent, so the next tick catches up."""
        try:
            async with unit(self.db) as store:
                if not await store.try_planner_lock():
                    return False
                await self.buddy_rounds.plan(store, self.clock.now())
                await self.reminders.plan(store, self.clock.now())
                await self.buddy_care.tick(store, self.clock.now())
        except BaseException:
            self.reminders.forget()  # what it read may have been rolled back
            raise
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
