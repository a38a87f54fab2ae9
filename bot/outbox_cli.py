"""`kompis outbox status|retry`: what is queued, sent and dead, and putting dead rows back."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.storage.db import Database
from bot.storage.outbox import DeadRow, OutboxStatus
from bot.storage.repo import unit

outbox_app = typer.Typer(help="The outbox: what is queued, sent and dead.", no_args_is_help=True)


def _database() -> Database:
    from bot.cli import _settings

    return Database(_settings().database_url)


async def _status(db: Database, limit: int) -> tuple[dict[str, int], list[DeadRow]]:
    try:
        await db.upgrade()
        async with unit(db) as store:
            return await store.outbox_counts(), await store.dead_rows(limit)
    finally:
        await db.dispose()


async def _retry(db: Database, ids: list[int] | None) -> int:
    try:
        await db.upgrade()
        async with unit(db) as store:
            return await store.retry_dead(await store.database_now(), ids)
    finally:
        await db.dispose()


@outbox_app.command("status")
def status(
    dead: Annotated[int, typer.Option("--dead", help="Show at most this many dead rows")] = 20,
) -> None:
    """Messages by state, and the dead ones with the reason they were given up."""
    counts, rows = asyncio.run(_status(_database(), dead))
    console = Console(width=120)
    states = [s.value for s in OutboxStatus]
    console.print(", ".join(f"{s}: {counts.get(s, 0)}" for s in states))
    if not rows:
        console.print("Nothing is dead.")
        return
    table = Table("id", "kind", "platform", "tries", "failing since", "reason")
    for row in rows:
        since = row.failing_since.strftime("%Y-%m-%d %H:%M UTC") if row.failing_since else ""
        table.add_row(
            str(row.id), row.kind, row.platform or "", str(row.attempts), since, row.reason
        )
    console.print(table)
    console.print("Queue them again with `kompis outbox retry --all` or `--id N`.")


@outbox_app.command("retry")
def retry(
    ids: Annotated[
        list[int] | None, typer.Option("--id", help="A dead row's id (repeat for several)")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every dead row")] = False,
) -> None:
    """Queue dead messages again, with a fresh retry horizon (after fixing the cause)."""
    if not ids and not every:
        typer.echo(
            "kompis: name the rows with --id N (see `kompis outbox status`) or use --all", err=True
        )
        raise typer.Exit(2)
    count = asyncio.run(_retry(_database(), None if every else list(ids or [])))
    typer.echo(f"{count} dead message{'s' if count != 1 else ''} queued again")
    if ids and not every and count < len(ids):
        typer.echo(
            f"kompis: {len(ids) - count} of the ids given are not dead rows; "
            "see `kompis outbox status` for the ones that are",
            err=True,
        )
        raise typer.Exit(1)
