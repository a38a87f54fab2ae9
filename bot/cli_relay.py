"""`kompis report buddies`: quiet pairs, check-in answers and requests for a new buddy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.domain.cohort import cohort_heading


def report_buddies(
    cohort: Annotated[str, typer.Option("--cohort", help="The cohort id")],
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the report to this CSV file instead")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Report as of this day, YYYY-MM-DD (default: today)"),
    ] = None,
) -> None:
    """Each buddy group: how many messages (never their text), quiet in the current stage,
    the latest check-in answers, and who asked for a new buddy."""
    from rich.console import Console

    from bot.buddy_report import buddy_lines, render, write_csv
    from bot.cli import _catalog_with, _fail, _settings

    try:
        now = datetime.fromisoformat(f"{on}T12:00:00+00:00") if on else datetime.now(UTC)
    except ValueError as exc:
        raise _fail(
            f"--on {on!r} is not a day; write it as YYYY-MM-DD, e.g. 2027-01-25", 2
        ) from exc
    settings = _settings()
    try:
        catalog = _catalog_with(settings, cohort)
    except typer.Exit as exc:
        raise typer.Exit(2) from exc
    lines = asyncio.run(buddy_lines(settings.database_url, catalog, cohort, now))
    if csv_file is None:
        heading = cohort_heading(catalog.cohort(cohort), catalog.cohort(cohort).locale)
        render(lines, cohort, Console(width=160), heading)
        return
    try:
        write_csv(lines, csv_file)
    except OSError as exc:
        raise _fail(f"{csv_file}: cannot write: {exc.strerror} (choose another --csv)", 2) from exc
    typer.echo(f"{len(lines)} buddy group(s) of {cohort} written to {csv_file}")
