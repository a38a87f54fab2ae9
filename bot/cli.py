"""The `kompis` command line (also `python -m bot`)."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bot import log
from bot.cli_bank import bank_app
from bot.cli_broadcast import broadcast_app
from bot.cli_buddies import buddies_app
from bot.cli_content import content_app
from bot.cli_errors import KompisGroup
from bot.cli_invites import invites_app
from bot.cli_privacy import privacy_app
from bot.cli_quiz import report_quiz
from bot.cli_relay import report_buddies
from bot.cli_reports import report_app
from bot.curriculum.loader import check_catalog, load_catalog, require_folders
from bot.curriculum.problems import DataError, Severity
from bot.domain.catalog import Catalog
from bot.domain.programme import ActivityKind, Programme
from bot.errors import ConfigError
from bot.outbox_cli import outbox_app
from bot.settings import Settings, load_settings

app = typer.Typer(
    cls=KompisGroup,
    help="Kompis: a learning companion bot for leadership programmes.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
participants_app = typer.Typer(help="The people of a cohort.", no_args_is_help=True)
app.add_typer(participants_app, name="participants")
app.add_typer(report_app, name="report")
report_app.command("quiz")(report_quiz)
report_app.command("buddies")(report_buddies)
schedule_app = typer.Typer(help="What the bot will send, and when.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")
app.add_typer(invites_app, name="invites")
app.add_typer(outbox_app, name="outbox")
app.add_typer(content_app, name="content")
app.add_typer(bank_app, name="bank")
app.add_typer(privacy_app, name="privacy")
app.add_typer(broadcast_app, name="broadcast")
app.add_typer(buddies_app, name="buddies")


def _settings(**overrides: object) -> Settings:
    """Settings, read once per command; logging is set up from them (to stderr, secrets
    masked)."""
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        typer.echo(f"kompis: {exc}", err=True)
        raise typer.Exit(2) from exc
    log.setup(settings.log_level)
    return settings


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


@app.command()
def check() -> None:
    """Validate every file in content/ and schedules/; print each problem, exit 1 on any error
    (warnings are printed and do not fail)."""
    settings = _settings()
    root = settings.content_dir.parent
    catalog, problems = check_catalog(settings.content_dir, settings.schedules_dir, root=root)
    for problem in problems:
        typer.echo(str(problem))
    for programme in catalog.programmes.values():
        typer.echo(_summary(programme))
    for cohort in catalog.cohorts.values():
        typer.echo(
            f"cohort {cohort.id}: programme {cohort.programme}, "
            f"{len(cohort.organisations)} organisations, {len(cohort.modules)} modules "
            f"scheduled, {len(cohort.events)} events, timezone {cohort.timezone}"
        )
    count = Counter(p.severity for p in problems)
    warned = f", {count[Severity.WARNING]} warning(s)" if count[Severity.WARNING] else ""
    if count[Severity.ERROR]:
        raise _fail(f"{count[Severity.ERROR]} problem(s) found{warned}")
    typer.echo(f"all data files are valid{warned}")


def _summary(programme: Programme) -> str:
    kinds: Counter[str] = Counter()
    stages = questions = 0
    for module in programme.modules:
        stages += len(module.stages)
        for stage in module.stages:
            for activity in stage.activities:
                kinds[activity.kind] += 1
                questions += len(activity.questions)
    return (
        f"programme {programme.id}: {len(programme.modules)} modules, {stages} stages, "
        f"{kinds[ActivityKind.REFLECTION]} reflection prompts, {questions} quiz questions, "
        f"{len(programme.labs)} labs, locales complete: {', '.join(programme.locales)}"
    )


@app.command()
def demo(
    script: Annotated[
        str | None,
        typer.Option(
            "--script",
            help="Run the lines of FILE (or - for standard input) and print the transcript.",
        ),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--as", help="The sample person to play, e.g. anna.lindqvist")
    ] = None,
    cohort: Annotated[str, typer.Option(help="The cohort to run")] = "demo",
    database: Annotated[Path, typer.Option("--db", help="The demo's SQLite file")] = Path(
        "kompis-demo.db"
    ),
    keep: Annotated[bool, typer.Option(help="Keep the demo database from the last run")] = False,
) -> None:
    """Run Kompis in the terminal with the sample cohort and a clock you move forward."""
    from bot.demo import Demo, DemoError, script_lines
    from bot.storage.single import acquire_single_process

    url = f"sqlite:///{database}"
    if not keep:
        try:  # never wipe the database of a demo that is still running
            lock = acquire_single_process(url)
        except ConfigError as exc:
            raise _fail(str(exc)) from exc
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        if lock is not None:
            lock.release()
    settings = _settings(database_url=url)
    require_folders(settings.content_dir, settings.schedules_dir)  # exit 2, not a demo error

    async def go() -> None:
        runner = Demo(settings, cohort, person, sys.stdout, files=database.parent)
        try:
            await runner.start()
            if script is not None:
                await runner.run_script(script_lines(script))
            else:
                await runner.interactive()
        finally:
            await runner.stop()

    try:
        asyncio.run(go())
    except (DemoError, DataError, ConfigError) as exc:  # ConfigError: a demo already runs
        raise _fail(str(exc)) from exc


@app.command()
def run() -> None:
    """Start the configured transports, the scheduler and delivery."""
    settings = _settings()
    configured = settings.transports_configured()
    if not configured:
        raise _fail(
            "no chat platform is configured: set KOMPIS_TELEGRAM_TOKEN for Telegram, "
            "or SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID "
            "and SLACK_CLIENT_SECRET (many) for Slack. "
            "To try Kompis without either, run `kompis demo`.",
            code=2,
        )
    from bot.serve import run_until_signalled
    from bot.transports.base import TransportError

    try:
        asyncio.run(run_until_signalled(settings))
    except (DataError, ConfigError, TransportError) as exc:
        raise _fail(str(exc)) from exc
    except OSError as exc:  # the HTTP port is taken, the database directory is not writable
        raise _fail(f"could not start: {exc}") from exc


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from exc


@schedule_app.command("preview")
def schedule_preview(
    cohort: Annotated[str, typer.Option("--cohort", help="The cohort id, e.g. demo")],
    first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    last: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
) -> None:
    """A table per day of what goes out to how many people, by type. Nothing is sent."""
    from rich.console import Console

    from bot.schedule_preview import PreviewError, build_rows, load_audience, render
    from bot.storage.db import database_exists
    from bot.storage.reach import require_database

    start, end = _day(first, "--from"), _day(last, "--to")
    if end < start:
        raise _fail(f"--to {end} is before --from {start}; swap them")
    if (end - start).days > 366:
        raise _fail("preview at most a year at a time; narrow --from/--to")
    settings = _settings()
    catalog = _catalog_with(settings, cohort)
    if database_exists(settings.database_url):
        require_database(settings.database_url)  # unreachable is an error, not "empty"
    try:
        audience, source = asyncio.run(
            load_audience(catalog, cohort, settings.database_url, settings.schedules_dir)
        )
    except PreviewError as exc:
        raise _fail(str(exc)) from exc
    rows = build_rows(catalog, audience, start, end)
    render(rows, cohort, catalog.cohort(cohort).timezone, source, Console(width=120))


def _catalog_with(settings: Settings, cohort: str) -> Catalog:
    """The loaded catalog, or a clear error when the cohort is not in it."""
    catalog, problems = load_catalog(settings.content_dir, settings.schedules_dir)
    if cohort not in catalog.cohorts:
        known = ", ".join(sorted(catalog.cohorts)) or "none"
        hint = " (run `kompis check`: some data files have problems)" if problems else ""
        raise _fail(f"unknown cohort {cohort!r}; known cohorts: {known}{hint}")
    return catalog


@participants_app.command("import")
def participants_import(
    csv_file: Annotated[
        Path, typer.Argument(help="CSV: name, email, organisation[, role, locale]")
    ],
    cohort: Annotated[str, typer.Option("--cohort", help="The cohort id")],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Also change the name, language, organisation and role of people "
            "already known, where the file has them differently",
        ),
    ] = False,
) -> None:
    """Add the people of a CSV file to a cohort; people already in another cohort join this one
    too. The whole file is checked first; if any row has a problem, nothing is written."""
    from bot.organiser import ImportProgress, import_participants, import_summary

    settings = _settings()
    catalog = _catalog_with(settings, cohort)
    with ImportProgress() as progress:
        try:
            result = asyncio.run(
                import_participants(
                    settings, catalog, cohort, csv_file, update=update, progress=progress
                )
            )
        except DataError as exc:
            typer.echo(str(exc), err=True)
            raise _fail(
                "nothing was imported; fix the rows above and run the import again"
            ) from exc
        except ConfigError as exc:  # another process holds the SQLite database
            raise _fail(str(exc)) from exc
    for line in import_summary(result, csv_file.name):
        typer.echo(line)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every database migration (also done on start)."""
    from bot.storage.db import Database

    settings = _settings()
    try:
        Database(settings.database_url).upgrade_sync()
    except ValueError as exc:
        raise _fail(f"KOMPIS_DATABASE_URL: {exc}", code=2) from exc
    typer.echo("database is up to date")


def main() -> None:
    app()
