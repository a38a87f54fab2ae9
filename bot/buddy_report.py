"""`kompis report buddies`: per buddy group of a cohort, how much they talk (never what),
whether they are quiet in the current stage, their check-in answers, and who asked for a
new buddy. A table for the terminal, or a CSV file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.storage.db import Database
from bot.storage.repo import unit

#: what organisers read for each check-in answer
ANSWERS = {
    "yes": "yes, talked",
    "not_yet": "not yet",
    "no_time": "can't find time",
    "new_buddy": "wants a new buddy",
}
COLUMNS = (
    "group",
    "round",
    "members",
    "status",
    "messages",
    "last_message",
    "quiet",
    "check_ins",
    "new_buddy_requested_by",
)


@dataclass(frozen=True)
class GroupLine:
    group: int
    round: int
    members: tuple[str, ...]  # "Name (organisation)"
    status: str  # open, or ended: <reason>
    messages: int
    last_message: str  # local date and time, or ""
    quiet: bool  # open and nothing written since the current stage opened
    check_ins: tuple[str, ...]  # "Name: answer" (the latest stage's answers)
    new_buddy: tuple[str, ...]  # names

    def cells(self) -> list[str]:
        return [
            str(self.group),
            str(self.round),
            "; ".join(self.members),
            self.status,
            str(self.messages),
            self.last_message,
            "yes" if self.quiet else "no",
            "; ".join(self.check_ins),
            "; ".join(self.new_buddy),
        ]


def stage_start(cohort: Cohort, now: datetime) -> datetime | None:
    """When the latest stage that has opened by ``now`` opened (local midnight)."""
    today = now.astimezone(cohort.tz).date()
    opened = [d.opens for m in cohort.modules for d in m.stages.values() if d.opens <= today]
    return cohort.local(max(opened), time(0, 0)) if opened else None


async def buddy_lines(
    database_url: str, catalog: Catalog, cohort_id: str, now: datetime
) -> list[GroupLine]:
    cohort = catalog.cohort(cohort_id)
    db = Database(database_url)
    try:
        await db.upgrade()
        async with unit(db) as store:
            groups = await store.buddy_groups(cohort_id)
            ids = [g.id for g in groups]
            people = await store.people([m for g in groups for m in g.members])
            totals = await store.buddy_message_stats(ids)
            start = stage_start(cohort, now)
            recent = await store.buddy_message_stats(ids, since=start) if start else totals
            checkins = await store.checkins(ids)
    finally:
        await db.dispose()

    def name(person_id: int) -> str:
        person = people.get(person_id)
        return person.name if person else f"#{person_id}"

    lines = []
    for group in groups:
        org_names = []
        for member in group.members:
            person = people.get(member)
            org = cohort.organisation(person.organisation or "") if person else None
            org_names.append(f"{name(member)} ({org.name})" if org else name(member))
        count, latest = totals.get(group.id, (0, None))
        mine = [c for c in checkins if c.pair_id == group.id]
        last_stage = max(mine, key=lambda c: c.asked_at).stage_ref if mine else None
        answers = [
            f"{name(c.person_id)}: {ANSWERS.get(c.answer or '', 'no answer')}"
            for c in mine
            if c.stage_ref == last_stage
        ]
        lines.append(
            GroupLine(
                group.id,
                group.round,
                tuple(org_names),
                "open" if group.open else f"ended: {group.ended_reason or '-'}",
                count,
                latest.astimezone(cohort.tz).strftime("%Y-%m-%d %H:%M") if latest else "",
                group.open and group.id not in recent,
                tuple(answers),
                tuple(sorted({name(c.person_id) for c in mine if c.answer == "new_buddy"})),
            )
        )
    return lines


def render(
    lines: list[GroupLine], cohort_id: str, console: Console, heading: str | None = None
) -> None:
    if not lines:
        console.print(f"{cohort_id} has no buddy groups yet (kompis buddies pair makes them).")
        return
    table = Table(title=f"Learning buddies in {heading or cohort_id}")
    for column in COLUMNS:
        table.add_column(column.replace("_", " "))
    for line in lines:
        table.add_row(*line.cells())
    console.print(table)
    quiet = sum(line.quiet for line in lines)
    wanted = sum(bool(line.new_buddy) for line in lines)
    console.print(f"{quiet} quiet group(s) in the current stage; {wanted} asked for a new buddy")


def write_csv(lines: list[GroupLine], path: Path) -> None:
    """One row per group; written whole (to a temporary file first) or not at all."""
    partial = path.with_name(path.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(line.cells() for line in lines)
    partial.replace(path)
