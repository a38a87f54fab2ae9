"""Composition root: settings -> database -> curriculum -> renderer -> transports -> features ->
delivery. Start-up and shutdown order live here and nowhere else."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.curriculum.loader import load_catalog_or_raise
from bot.curriculum.participants import read_participants
from bot.curriculum.problems import DataError
from bot.delivery.ratelimit import default_limits
from bot.delivery.retention import Retention
from bot.delivery.scheduler import Ticker
from bot.delivery.sender import Sender
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock, FakeClock
from bot.domain.messages import Inbound, Outgoing
from bot.errors import UserError
from bot.features.dispatcher import Dispatcher
from bot.features.reminders import Reminders
from bot.rendering.renderer import Renderer
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit
from bot.storage.single import ProcessLock, acquire_single_process
from bot.transports.base import Transport

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
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.catalog = catalog or load_catalog_or_raise(
            settings.content_dir, settings.schedules_dir
        )
        self.db = Database(
            settings.database_url, idle_in_transaction_timeout=settings.outbox_lease_seconds
        )
        self.renderer = Renderer(settings.locales_dir)
        self.transports = transports
        default = next(iter(self.catalog.cohorts.values())).locale if self.catalog.cohorts else "nb"
        self.dispatcher = Dispatcher(self.catalog, default_locale=default)
        grace = timedelta(hours=settings.late_grace_hours)
        self.reminders = Reminders(self.catalog, first_plan_lookback=grace, late_grace=grace)
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
        )
        self.retention = Retention(self.db, clock, settings.retention_days)
        self.ticker = Ticker(
            self.plan,
            self.sender.drain,
            self.sender.recover,
            settings.tick_seconds,
            housekeeping=self.retention.purge,
        )
        self._process_lock: ProcessLock | None = None

    async def start(self) -> None:
        """Claim the database (SQLite: this process only), migrate it and bring cohorts in
        line with the schedule files."""
        self._process_lock = acquire_single_process(self.settings.database_url)
        await self.db.upgrade()
        async with unit(self.db) as store:
            for cohort in self.catalog.cohorts.values():
                await store.sync_cohort(cohort)

    async def stop(self) -> None:
        """Stop ticking, let the send under way finish and give back what this process
        claimed but did not send, then close the database."""
        self.ticker.stop()
        await self.sender.stop()
        await self.ticker.wait()
        await self.db.dispose()
        if self._process_lock is not None:
            self._process_lock.release()
            self._process_lock = None

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
        await self.retention.purge()
        await self.sender.recover()
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
        self, cohort_id: str, csv_path: Path, platform: str | None = None
    ) -> tuple[int, int]:
        """Add the people of a CSV to a cohort, whole or not at all: the file is checked first
        and one transaction adds them. People already there (same e-mail) are left alone.
        With ``platform`` each also gets an identity there keyed by the e-mail's local part
        (the console demo). Returns (added, already there)."""
        cohort = self.catalog.cohort(cohort_id)
        rows, problems = read_participants(csv_path, cohort)
        if problems:
            raise DataError(problems)
        now = self.clock.now()
        added = 0
        async with unit(self.db) as store:
            for row in rows:
                if await store.person_by_email(row.email) is not None:
                    continue
                person_id = await store.add_person(
                    name=row.name,
                    cohort_id=cohort_id,
                    organisation=row.organisation,
                    roles=row.roles,
                    now=now,
                    email=row.email,
                    locale=row.locale,
                )
                if platform:
                    handle = row.email.split("@")[0]
                    await store.link_identity(person_id, platform, handle, handle, now)
                added += 1
        return added, len(rows) - added
