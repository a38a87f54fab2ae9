"""Organiser commands that work on the database: import participants, reachability report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.app import Kompis
from bot.domain.catalog import Catalog
from bot.domain.clock import SystemClock
from bot.domain.people import Unreachable
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit


async def import_participants(
    settings: Settings, catalog: Catalog, cohort_id: str, csv_path: Path
) -> tuple[int, int]:
    """Through the app, so the database is migrated and the cohort synced first. It works
    beside a running bot (SQLite waits its turn to write). Returns (added, already there)."""
    app = Kompis(settings, SystemClock(), {}, catalog)
    await app.start(lock=False)
    try:
        return await app.import_participants(cohort_id, csv_path)
    finally:
        await app.stop()


async def unreachable(
    cohort_id: str, database_url: str, organisation: str | None
) -> list[Unreachable]:
    db = Database(database_url)
    try:
        await db.upgrade()
        async with unit(db) as store:
            return await store.unreachable_people(cohort_id, organisation)
    finally:
        await db.dispose()


def render_unreachable(
    people: list[Unreachable], catalog: Catalog, cohort_id: str, console: Console
) -> None:
    cohort = catalog.cohort(cohort_id)
    if not people:
        console.print(f"Everyone in {cohort_id} with a chat account can be reached.")
        return
    table = Table(title=f"People Kompis cannot reach in {cohort_id}")
    for column in ("name", "organisation", "platform", "since", "reason"):
        table.add_column(column)
    for person in people:
        org = cohort.organisation(person.organisation) if person.organisation else None
        since = person.since.astimezone(cohort.tz).strftime("%Y-%m-%d %H:%M")
        table.add_row(person.name, org.name if org else "-", person.platform, since, person.reason)
    console.print(table)
