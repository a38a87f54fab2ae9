"""`kompis report ...`: reports for organisers, one command each, in one output style (a Rich
table; ``--csv FILE`` where a spreadsheet helps). Adding a report is one function here."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

report_app = typer.Typer(help="Reports for organisers.", no_args_is_help=True)

CohortOption = Annotated[str, typer.Option("--cohort", help="The cohort id")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


@report_app.command("progress")
def report_progress(
    cohort: CohortOption,
    module: Annotated[str | None, typer.Option("--module", help="Only this module's id")] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the figures to this CSV file")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="As of this day, YYYY-MM-DD (default: today)")
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option("--locale", help="Names and titles in this language (default: cohort's)"),
    ] = None,
) -> None:
    """Organisation × stage: how many participants finished each stage opened so far (counts
    and percentages), and who has not started."""
    from rich.console import Console

    from bot.cli import _catalog_with, _settings
    from bot.domain.cohort import NAME_LOCALES
    from bot.reports import build_progress, render_progress, write_progress_csv

    settings = _settings()
    catalog = _catalog_with(settings, cohort)
    schedule = catalog.cohort(cohort)
    if module is not None and schedule.schedule_for(module) is None:
        known = ", ".join(m.module for m in schedule.modules)
        raise _fail(f"--module {module!r} is not a module of {cohort}; use one of {known}")
    if locale is not None and locale not in NAME_LOCALES:
        raise _fail(f"--locale {locale!r} is not supported; use one of {', '.join(NAME_LOCALES)}")
    if on is None:
        today = datetime.now(schedule.tz).date()
    else:
        try:
            today = datetime.strptime(on, "%Y-%m-%d").date()
        except ValueError as exc:
            raise _fail(f"--on {on!r} is not a date; write it as YYYY-MM-DD") from exc
    shown = locale or schedule.locale
    report = asyncio.run(
        build_progress(catalog, cohort, settings.database_url, today, shown, module)
    )
    render_progress(report, shown, today, Console(width=160))
    if csv_file is not None:
        try:
            rows = write_progress_csv(report, shown, csv_file)
        except OSError as exc:
            message = f"cannot write {csv_file}: {exc.strerror}; choose another --csv path"
            raise _fail(message) from exc
        typer.echo(f"wrote {rows} rows to {csv_file}")


@report_app.command("reachability")
def report_reachability(
    cohort: CohortOption,
    organisation: Annotated[
        str | None, typer.Option(help="Only this organisation (its id in the schedule)")
    ] = None,
) -> None:
    """People Kompis cannot reach (blocked the bot, left the workspace), and why."""
    from rich.console import Console

    from bot.cli import _catalog_with, _settings
    from bot.organiser import render_unreachable, unreachable

    settings = _settings()
    catalog = _catalog_with(settings, cohort)
    people = asyncio.run(unreachable(cohort, settings.database_url, organisation))
    render_unreachable(people, catalog, cohort, Console(width=120))
