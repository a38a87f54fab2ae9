"""`kompis schedule preview`: what the bot will send, per day and type, before it happens.

It runs the real planner and the real fan-out (``bot.features.reminders``) against the people
and progress in the database when the cohort has people there; otherwise against the
cohort's participants CSV with nobody done yet (an upper bound). Nothing is queued or sent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.curriculum.participants import read_participants
from bot.domain.catalog import Catalog
from bot.domain.planner import OccasionKind, occasions
from bot.features.fanout import Audience
from bot.features.forecast import Preview, PreviewRow, audience_from_rows, preview
from bot.storage.db import Database, database_exists
from bot.storage.repo import unit

LABELS = {
    OccasionKind.STAGE_OPEN: "stage opens",
    OccasionKind.BEFORE_DUE: "deadline reminder",
    OccasionKind.DUE: "deadline today",
    OccasionKind.OVERDUE: "overdue nudge",
    OccasionKind.GATHERING_EVE: "gathering tomorrow",
    OccasionKind.EVENT_EVE: "event tomorrow",
    OccasionKind.DIGEST: "coordinator digest",
}


class PreviewError(Exception):
    pass


async def load_audience(
    catalog: Catalog, cohort_id: str, database_url: str, schedules_dir: Path
) -> tuple[Audience, str]:
    """The audience to preview against, and a sentence saying where it came from."""
    if database_exists(database_url):
        db = Database(database_url)
        try:
            async with unit(db) as store:
                audience = await Audience.load(store, catalog, cohort_id)
            if audience.people:
                return audience, f"{len(audience.people)} people and their progress in the database"
        except Exception:  # an unmigrated or unreachable database: fall back to the CSV
            pass
        finally:
            await db.dispose()
    cohort = catalog.cohort(cohort_id)
    programme = catalog.programme_of(cohort_id)
    if not cohort.participants:
        raise PreviewError(
            f"cohort {cohort_id!r} has nobody in the database and no participants file; "
            "import participants first (kompis participants import)"
        )
    path = schedules_dir / cohort.participants
    rows, problems = read_participants(path, cohort)
    if problems:
        raise PreviewError("\n".join(str(p) for p in problems))
    audience = audience_from_rows(
        cohort, programme, ((r.name, r.organisation, r.roles) for r in rows)
    )
    return audience, f"{len(rows)} people in {path.name}, nobody done yet (database empty)"


def build_rows(catalog: Catalog, audience: Audience, first: date, last: date) -> Preview:
    cohort = audience.cohort
    return preview(audience, occasions(catalog.programme_of(cohort.id), cohort), first, last)


def render(found: Preview, cohort_id: str, tz: str, source: str, console: Console) -> None:
    rows = found.rows
    table = Table(title=f"Reminders for cohort {cohort_id} ({tz})", caption=f"Audience: {source}")
    table.add_column("Day")
    table.add_column("Type")
    table.add_column("What")
    table.add_column("People", justify="right")
    by_day: dict[date, list[PreviewRow]] = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)
    for day in sorted(by_day):
        for index, row in enumerate(by_day[day]):
            label = f"{day:%a %Y-%m-%d}" if index == 0 else ""
            table.add_row(label, LABELS.get(row.kind, row.kind), row.what, str(row.people))
        table.add_section()
    console.print(table)
    total = found.messages
    console.print(
        f"{total} {'message' if total == 1 else 'messages'} on {len(by_day)} "
        f"{'day' if len(by_day) == 1 else 'days'} (one a day per person at most, "
        "everything due that day composed into it)."
    )
    if total:
        console.print(
            f"Per person and week: at most {found.peak}, median {found.median:g} "
            "(over the weeks a person gets anything)."
        )
