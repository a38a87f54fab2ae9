"""`kompis bank`: export what a cohort shared (Markdown, CSV, printable HTML), and hide or
show again an entry (the author is told, in their language, when Kompis next sends)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.domain.catalog import Catalog

bank_app = typer.Typer(help="The reflection bank: export and moderation.", no_args_is_help=True)


class Format(StrEnum):
    md = "md"
    csv = "csv"
    html = "html"


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


@bank_app.command("export")
def export(
    cohort: Annotated[str, typer.Option("--cohort", help="The cohort id")],
    fmt: Annotated[Format, typer.Option("--format", help="md, csv or html")] = Format.md,
    module: Annotated[str | None, typer.Option("--module", help="Only this module")] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Only this gathering group's organisations")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file")] = None,
    comma: Annotated[
        bool, typer.Option("--comma", help="CSV with commas instead of semicolons")
    ] = False,
) -> None:
    """What the cohort shared (by name or anonymously, not hidden), by module and question.
    Anonymous answers carry no name or organisation."""
    from bot.bank_export import ExportError
    from bot.cli import _settings
    from bot.curriculum.loader import load_catalog

    settings = _settings()
    catalog, _problems = load_catalog(settings.content_dir, settings.schedules_dir)
    if cohort not in catalog.cohorts:
        known = ", ".join(sorted(catalog.cohorts)) or "none"
        raise _fail(f"--cohort {cohort!r} is not a cohort in the schedules; use one of {known}")
    try:
        data, count = asyncio.run(
            _export(settings.database_url, catalog, cohort, fmt, module, group, comma)
        )
    except ExportError as exc:
        raise _fail(str(exc)) from exc
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise _fail(f"{out}: cannot write: {exc.strerror} (choose another --out)") from exc
    typer.echo(f"{count} answer(s) from {cohort}" + (f" in {out}" if out else ""), err=True)


async def _export(
    url: str,
    catalog: Catalog,
    cohort: str,
    fmt: Format,
    module: str | None,
    group: str | None,
    comma: bool,
) -> tuple[bytes, int]:
    from bot.bank_export import render, rows
    from bot.domain.cohort import cohort_heading
    from bot.rendering.renderer import Renderer
    from bot.storage.db import Database
    from bot.storage.repo import unit

    locale = catalog.cohort(cohort).locale
    db = Database(url)
    try:
        await db.upgrade()
        async with unit(db) as store:
            found = await rows(store, catalog, cohort, locale, module, group)
    finally:
        await db.dispose()
    renderer = Renderer()
    heading = renderer.gettext(locale, "The reflection bank")
    title = f"{heading}: {cohort_heading(catalog.cohort(cohort), locale)}"
    return render(found, fmt.value, renderer, locale, title, comma), len(found)


@bank_app.command("hide")
def hide(
    entry: Annotated[int, typer.Argument(help="The answer's number (in the bank and exports)")],
    reason: Annotated[str, typer.Option("--reason", help="Why; the author is told")],
) -> None:
    """Hide an answer from the bank and exports; its author is told why."""
    if not reason.strip():
        raise _fail("--reason is empty; write why the answer is hidden (the author gets it)")
    _moderate(entry, True, reason.strip())


@bank_app.command("unhide")
def unhide(
    entry: Annotated[int, typer.Argument(help="The answer's number")],
) -> None:
    """Show a hidden answer in the bank again; its author is told."""
    _moderate(entry, False, "")


def _moderate(entry: int, hidden: bool, reason: str) -> None:
    from bot.cli import _settings
    from bot.curriculum.loader import load_catalog

    settings = _settings()
    catalog, _problems = load_catalog(settings.content_dir, settings.schedules_dir)
    result = asyncio.run(_apply(settings.database_url, catalog, entry, hidden, reason))
    if result is None:
        raise _fail(
            f"there is no answer {entry} in the bank; the numbers are in kompis bank export"
        )
    typer.echo(result)


async def _apply(url: str, catalog: Catalog, number: int, hidden: bool, reason: str) -> str | None:
    from bot.features.bank_moderation import apply
    from bot.storage.db import Database
    from bot.storage.repo import unit

    db = Database(url)
    try:
        await db.upgrade()
        async with unit(db) as store:
            entry = await store.bank_entry(number)
            if entry is None or entry.cohort_id not in catalog.cohorts:
                return None
            if entry.hidden == hidden:
                return (
                    f"answer {number} is already {'hidden' if hidden else 'shown'}; nothing changed"
                )
            now = datetime.now(UTC)
            messages = await apply(store, catalog, entry, hidden, reason, now)
            await store.enqueue(messages, now)
    finally:
        await db.dispose()
    told = " and its author will be told" if messages else ""
    return f"answer {number} is {'hidden' if hidden else 'shown again'}{told}"
