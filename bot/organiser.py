"""Organiser commands that work on the database: import participants, reachability report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from bot.app import Kompis
from bot.domain.catalog import Catalog
from bot.domain.clock import SystemClock
from bot.domain.cohort import organisation_name
from bot.domain.people import Unreachable
from bot.people_import import ImportResult
from bot.people_import import Progress as OnProgress
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import unit


async def import_participants(
    settings: Settings,
    catalog: Catalog,
    cohort_id: str,
    csv_path: Path,
    *,
    update: bool = False,
    progress: OnProgress | None = None,
) -> ImportResult:
    """Through the app, so the database is migrated and the cohort synced first. It works
    beside a running bot (SQLite waits its turn to write)."""
    app = Kompis(settings, SystemClock(), {}, catalog)
    await app.start(lock=False)
    try:
        return await app.import_participants(cohort_id, csv_path, update=update, progress=progress)
    finally:
        await app.stop()


class ImportProgress:
    """A progress bar on standard error while a large file is written."""

    LARGE = 500  # rows; a smaller file is written before a bar could show

    def __init__(self, console: Console | None = None) -> None:
        self._bar = Progress(console=console or Console(stderr=True), transient=True)
        self._task: TaskID | None = None

    def __enter__(self) -> ImportProgress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if total < self.LARGE:
            return
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task("importing people", total=total)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()


def import_summary(result: ImportResult, csv_name: str) -> list[str]:
    """What the import did and did not do, line by line, for the organiser."""
    lines = [f"read {csv_name} as {result.encoding}"]
    added = f"{result.added} added to {result.cohort_id}, {result.already} already there"
    if result.joined:
        added += f" ({result.joined} of those added already in another cohort)"
    lines.append(added)
    if result.changes:
        people = result.changed_people
        whom = "1 person" if people == 1 else f"{people} people"
        if result.applied:
            lines.append(f"changed for {whom}:")
        else:
            lines.append(
                f"left unchanged for {whom} (run again with --update to apply these changes):"
            )
        lines += [f"  {change}" for change in result.changes]
    return lines


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
        name = organisation_name(org, cohort.locale) if org else "-"
        table.add_row(person.name, name, person.platform, since, person.reason)
    console.print(table)
