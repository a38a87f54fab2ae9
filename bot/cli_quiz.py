"""`kompis report quiz`: quiz results of a cohort as aggregates (registered in bot/cli.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer


def report_quiz(
    cohort: Annotated[str, typer.Option("--cohort", help="The cohort id")],
    module: Annotated[
        str | None, typer.Option("--module", help="Only this module's quiz (its id)")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the figures to this CSV file")
    ] = None,
) -> None:
    """Per question the share right first time and the most common wrong answer; per
    organisation how many leaders took the quiz and their mean best score. No names."""
    from rich.console import Console

    from bot.cli import _catalog_with, _fail, _settings
    from bot.domain.cohort import cohort_heading
    from bot.quiz_report import quiz_refs, render, report, write_csv

    settings = _settings()
    catalog = _catalog_with(settings, cohort)
    if module is not None and not quiz_refs(catalog, cohort, module):
        modules = ", ".join(sorted({r.split("/")[0] for r, _ in quiz_refs(catalog, cohort, None)}))
        raise _fail(
            f"--module {module}: no quiz in that module of {cohort}; "
            f"modules with a quiz: {modules or 'none'}",
            code=2,
        )
    results = asyncio.run(report(settings.database_url, catalog, cohort, module))
    locale = catalog.cohort(cohort).locale
    render(results, locale, Console(width=140), cohort_heading(catalog.cohort(cohort), locale))
    if csv_file is not None:
        try:
            write_csv(results, locale, csv_file)
        except OSError as exc:
            message = f"{csv_file}: cannot write: {exc.strerror} (choose another --csv)"
            raise _fail(message, code=2) from exc
        typer.echo(f"wrote {csv_file}", err=True)
