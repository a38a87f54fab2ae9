"""Planning at national scale: a year of one 5,000-person cohort and of 15 cohorts × 300
(a national run), planned as ``kompis run``'s tick does (``Kompis.plan``) on a simulated
clock: one tick with nothing new, the tick of a busy moment, one day, the whole year; and the
scheduler's job count, which must not grow with people.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from bench.common import add_people, database, target
from bot import heap
from bot.app import Kompis
from bot.domain.catalog import Catalog
from bot.domain.clock import FakeClock
from bot.settings import Settings
from bot.storage.repo import unit
from bot.transports.memory import MemoryTransport
from tests.helpers import shipped_catalog

COHORT = "tf-2027"


def national(cohorts: int) -> Catalog:
    shipped = shipped_catalog()
    base = shipped.cohort(COHORT)
    copies = {
        (f"{COHORT}-{n}" if cohorts > 1 else COHORT): base.model_copy(
            update={"id": f"{COHORT}-{n}" if cohorts > 1 else COHORT}
        )
        for n in range(cohorts)
    }
    return Catalog(programmes={base.programme: shipped.programme_of(COHORT)}, cohorts=copies)


def first_moment(catalog: Catalog) -> datetime:
    cohort = next(iter(catalog.cohorts.values()))
    first_open = min(d.opens for m in cohort.modules for d in m.stages.values())
    return cohort.local(first_open - timedelta(days=1), clock_time(12, 0))


async def plan_year(cohorts: int, each: int, kind: str, days: int = 365) -> dict[str, Any]:
    catalog = national(cohorts)
    clock = FakeClock(first_moment(catalog))
    with database(kind) as url:
        settings = Settings(database_url=url, tick_seconds=3600)
        app = Kompis(settings, clock, {"memory": MemoryTransport(platform="memory")}, catalog)
        await app.start(lock=False)
        heap.settle()  # as `kompis run` does once started (bot.serve.Service.run)
        for n, cohort_id in enumerate(catalog.cohorts):
            await add_people(
                app.db, each, platform="memory", first_chat=100_000 * (n + 1), cohort=cohort_id
            )
        try:
            return await _measure(app, clock, days)
        finally:
            await app.stop()


async def _timed(app: Kompis) -> float:
    started = time.perf_counter()
    await app.plan()
    return time.perf_counter() - started


async def _measure(app: Kompis, clock: FakeClock, days: int = 365) -> dict[str, Any]:
    await app.plan()  # the first plan after start: the watermark is set
    idle_ticks = [await _timed(app) for _ in range(20)]
    start = clock.now()
    end = start + timedelta(days=days)
    moments: list[tuple[datetime, float]] = []
    while (moment := app.reminders.next_moment(clock.now())) is not None and moment <= end:
        clock.set(moment)
        moments.append((moment, await _timed(app)))
    clock.set(end)
    moments.append((end, await _timed(app)))
    busiest = max(moments, key=lambda m: m[1])
    day_start = busiest[0] - timedelta(hours=12)
    one_day = sum(s for at, s in moments if day_start <= at < day_start + timedelta(days=1))
    async with unit(app.db) as store:
        counts = await store.outbox_counts()
    await app.ticker.start()
    jobs = len(app.ticker.scheduler.get_jobs())  # the ticker stops with the app (plan_year):
    # stopping it here as well shut the scheduler down twice, a traceback on every run
    return {
        "tick_nothing_new_ms": round(sorted(idle_ticks)[len(idle_ticks) // 2] * 1000, 2),
        "tick_busiest_ms": round(busiest[1] * 1000, 1),
        "one_day_s": round(one_day, 3),
        "year_s": round(sum(s for _, s in moments), 3),
        "days_planned": days,
        "plan_moments_in_year": len(moments),
        "messages_planned": sum(counts.values()),
        "scheduler_jobs": jobs,
    }


async def measure(smoke: bool) -> dict[str, Any]:
    sizes = {"1 x 5000": (1, 5000), "15 x 300": (15, 300)}
    days = 365
    if smoke:  # a month of a small cohort
        sizes, days = {"1 x 20": (1, 20), "3 x 10": (3, 10)}, 30
    figures: dict[str, Any] = {}
    for label, (cohorts, each) in sizes.items():
        figures[label] = await plan_year(cohorts, each, "sqlite", days)
    small = await plan_year(1, 5 if smoke else 300, "sqlite", days)
    figures["1 x small (job count peer)"] = small
    big, national_run = figures[next(iter(sizes))], figures[list(sizes)[1]]
    targets = [
        target(
            f"{label}: one tick (nothing new)",
            f["tick_nothing_new_ms"],
            "< 50 ms",
            f["tick_nothing_new_ms"] < 50,
        )
        for label, f in figures.items()
        if label in sizes
    ]
    targets += [
        target(
            f"{next(iter(sizes))}: the tick of the busiest moment",
            big["tick_busiest_ms"],
            "(reported)",
            True,
        ),
        target(f"{next(iter(sizes))}: whole year", big["year_s"], "< 5 s", big["year_s"] < 5),
        target(f"{list(sizes)[1]}: whole year", national_run["year_s"], "(reported)", True),
        target(
            "scheduler jobs, most people vs fewest",
            big["scheduler_jobs"],
            f"== {small['scheduler_jobs']} (does not grow with people)",
            big["scheduler_jobs"] == small["scheduler_jobs"] == national_run["scheduler_jobs"],
        ),
    ]
    return {"name": "planning", "figures": figures, "targets": targets}


def run(smoke: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(smoke))
