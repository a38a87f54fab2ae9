"""Organiser reports on the database: reading what they need, and showing it (Rich table,
CSV). The figures come from ``bot.domain.progress_report``; this module only reads and writes."""

from __future__ import annotations

import csv
import os
import tempfile
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.domain.catalog import Catalog
from bot.domain.people import Person
from bot.domain.progress_report import Cell, ProgressReport, progress_report
from bot.domain.text import pick
from bot.storage.db import Database
from bot.storage.repo import unit


async def load_people(
    cohort_id: str, database_url: str
) -> tuple[list[Person], dict[int, set[str]]]:
    """The cohort's people and what each has done, in one read-only transaction."""
    db = Database(database_url)
    try:
        await db.upgrade()
        async with unit(db) as store:
            people = await store.people_in_cohort(cohort_id)
            return people, await store.completed(p.id for p in people)
    finally:
        await db.dispose()


async def build_progress(
    catalog: Catalog,
    cohort_id: str,
    database_url: str,
    today: date,
    locale: str,
    module: str | None = None,
) -> ProgressReport:
    people, done = await load_people(cohort_id, database_url)
    return progress_report(
        catalog.programme_of(cohort_id),
        catalog.cohort(cohort_id),
        people,
        done,
        today,
        locale,
        module,
    )


def cell_text(cell: Cell) -> str:
    """``3/4 (75%)``; ``-`` for an organisation without participants."""
    return f"{cell.done}/{cell.total} ({cell.percent}%)" if cell.total else "-"


def render_progress(report: ProgressReport, locale: str, today: date, console: Console) -> None:
    """The report as a table: a row per organisation, a column per stage, a total row, and
    who has not started."""
    round_ = f", {pick(report.round, locale)}" if report.round else ""
    if not report.columns:
        console.print(f"Nothing has opened yet in {report.cohort}{round_} on {today}.")
        return
    table = Table(title=f"Progress in {report.cohort}{round_}, {today}")
    table.add_column("organisation")
    for column in report.columns:
        table.add_column(f"{pick(column.stage_title, locale)}\n{column.ref}", justify="right")
    table.add_column("not started")
    for row in report.rows:
        idle = ", ".join(row.not_started) or "-"
        table.add_row(row.name, *(cell_text(c) for c in row.cells), idle)
    idle_count = sum(len(r.not_started) for r in report.rows)
    table.add_row("all", *(cell_text(c) for c in report.totals), str(idle_count), style="bold")
    console.print(table)


CSV_COLUMNS = (
    "cohort",
    "round",
    "organisation",
    "organisation_name",
    "module",
    "stage",
    "completed",
    "participants",
    "percent",
    "not_started",
)


def write_progress_csv(report: ProgressReport, locale: str, path: Path) -> int:
    """One row per organisation and stage; written to a temporary file beside ``path`` and
    moved into place, so a failure never leaves half a file. Returns the rows written."""
    round_ = pick(report.round, locale) if report.round else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    rows = 0
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(CSV_COLUMNS)
            for row in report.rows:
                for column, cell in zip(report.columns, row.cells, strict=True):
                    writer.writerow(
                        [
                            report.cohort,
                            round_,
                            row.organisation,
                            row.name,
                            column.module,
                            column.stage,
                            cell.done,
                            cell.total,
                            cell.percent,
                            len(row.not_started),
                        ]
                    )
                    rows += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return rows
