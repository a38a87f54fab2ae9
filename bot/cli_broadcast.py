"""`kompis broadcast`: send (now or ``--at``), ``--dry-run``, and ``list``, ``status``,
``correct``, ``cancel``. Each command is one transaction on the database ``kompis run`` uses,
so it works while the bot runs (its delivery picks the queued copies up)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from rich.console import Console

from bot.domain.broadcast import (
    BroadcastError,
    BroadcastMessage,
    check_placeholders,
    parse_message,
    parse_targets,
)
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.features.broadcasts import Draft, Plan, defaults_of
from bot.storage.repo import Store, unit

broadcast_app = typer.Typer(
    help="Announcements to all, a gathering group, an organisation or a role; RSVPs, .ics.",
    invoke_without_command=True,
)
T = TypeVar("T")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


def read_message(path: Path) -> BroadcastMessage:
    """The message file (YAML), or one clear line about what is wrong with it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BroadcastError(f"{path}: cannot read it: {exc.strerror} (check --message)") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise BroadcastError(f"{path}: not valid YAML{where} (fix the file)") from None
    return parse_message(data, str(path))


def parse_at(text: str, cohort: Cohort, now: datetime) -> datetime:
    """``2027-02-08 12:00`` (the cohort's local time) or with an offset; not in the past."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BroadcastError(
            f"--at {text!r}: not a time (write 2027-02-08T12:00, in {cohort.timezone})"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=cohort.tz)
    if moment <= now:
        raise BroadcastError(f"--at {text!r}: that is in the past (choose a later time)")
    return moment.astimezone(UTC)


def _run(catalog: Catalog, cohort_id: str | None, work: Callable[[Store], Awaitable[T]]) -> T:
    from bot.cli import _settings
    from bot.storage.db import Database

    async def go() -> T:
        db = Database(_settings().database_url)
        try:
            await db.upgrade()
            async with unit(db) as store:
                if cohort_id is not None:
                    await store.sync_cohort(catalog.cohort(cohort_id))
                return await work(store)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except BroadcastError as exc:
        raise _fail(str(exc)) from exc


def _catalog(cohort: str) -> Catalog:
    from bot.cli import _catalog_with, _settings

    return _catalog_with(_settings(), cohort)


def _any_catalog() -> Catalog:
    from bot.cli import _settings
    from bot.curriculum.loader import load_catalog

    settings = _settings()
    return load_catalog(settings.content_dir, settings.schedules_dir)[0]


@broadcast_app.callback()
def broadcast(
    ctx: typer.Context,
    cohort: Annotated[str | None, typer.Option("--cohort", help="The cohort id")] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="all, group:G, org:O, role:R; ',' = or, '+' = and"),
    ] = None,
    message: Annotated[
        Path | None, typer.Option("--message", help="YAML: text per locale, variables")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Send at (cohort's local time)")] = None,
    rsvp: Annotated[bool, typer.Option("--rsvp", help="Coming / not coming / maybe")] = False,
    ics: Annotated[
        str | None, typer.Option("--ics", help="Attach an .ics for MODULE/GROUP's gathering")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, send nothing")] = False,
    quiet: Annotated[
        bool, typer.Option("--respect-quiet-hours", help="Hold copies out of quiet hours")
    ] = False,
) -> None:
    """Send an announcement (or preview it with --dry-run)."""
    if ctx.invoked_subcommand is not None:
        return
    if cohort is None or to is None or message is None:
        raise _fail("name --cohort ID, --to TARGETS and --message FILE (see --help)")
    catalog = _catalog(cohort)
    schedule = catalog.cohort(cohort)
    now = datetime.now(UTC)
    try:
        draft = Draft(
            schedule,
            parse_targets(to, schedule),
            read_message(message),
            parse_at(at, schedule, now) if at else None,
            rsvp,
            ics,
            quiet,
        )
        # everything the files and options can get wrong, before the database is touched
        check_placeholders(draft.message, str(message), defaults_of(schedule, ics))
    except BroadcastError as exc:
        raise _fail(str(exc)) from exc
    from bot.features.broadcasts import create, plan

    if dry_run:
        found = _run(catalog, cohort, lambda store: plan(store, catalog, draft))
        show_plan(found, draft, Console(width=120))
        return
    broadcast_id, found = _run(catalog, cohort, lambda store: create(store, catalog, draft, now))
    when = f"at {draft.send_at:%Y-%m-%d %H:%M} UTC" if draft.send_at else "now"
    typer.echo(
        f"broadcast {broadcast_id}: {len(found.recipients)} recipient(s), "
        f"{len(found.unreachable)} unreachable, sending {when}"
    )


def show_plan(found: Plan, draft: Draft, console: Console) -> None:
    from rich.table import Table

    from bot.features.broadcasts_report import organisation_name

    console.print(f"{len(found.recipients)} recipient(s); nothing is sent (dry run)")
    table = Table("platform", "locale", "recipients")
    for (platform, locale), count in sorted(found.by_platform_locale.items()):
        table.add_row(platform, locale, str(count))
    console.print(table)
    for person in found.unreachable:
        org = organisation_name(draft.cohort, person.organisation)
        console.print(f"cannot be reached: {person.name} ({org})")
    for locale, source in sorted(found.fallbacks.items()):
        console.print(f"no {locale} text: {locale} readers get the {source} text")
    platforms = sorted({p for p in found.platforms.values() if p}) or ["console"]
    for locale in sorted({found.locales[p.id] for p in found.recipients}):
        for platform in platforms:
            console.print(f"--- sample: {locale} on {platform} ---")
            console.print(sample(found, locale, draft, platform), markup=False, highlight=False)


def sample(found: Plan, locale: str, draft: Draft, platform: str) -> str:
    """The copy as a recipient on ``platform`` gets it: the renderer's template in their
    language, in the platform's own markup (Telegram HTML, Slack mrkdwn, plain text), and
    the buttons it carries."""
    from bot.domain.markup import plain
    from bot.domain.messages import Outgoing
    from bot.features.broadcasts_compose import ANSWERS
    from bot.rendering.renderer import Renderer
    from bot.transports.slack_convert import mrkdwn
    from bot.transports.telegram_convert import to_html

    params: dict[str, Any] = {
        "texts": found.texts,
        "correction": False,
        "rsvp": draft.rsvp,
        "answer": "",
        "open": True,
        "coordinator": False,
    }
    renderer = Renderer()
    rendered = renderer.render(Outgoing(None, "broadcast", params), locale)
    if platform == "telegram":
        text = to_html(rendered)
    elif platform == "slack":
        text = mrkdwn(rendered.text)
    else:
        text = plain(rendered.text)
    if draft.rsvp:
        labels = [renderer.gettext(locale, label) for _answer, label in ANSWERS]
        text += "\n" + " ".join(f"[{label}]" for label in labels)
    if draft.gathering:
        text += (
            "\n"
            + "(+ "
            + renderer.gettext(
                locale,
                "Calendar file for the gathering. Open it to add the gathering to your calendar.",
            )
            + ")"
        )
    return text


@broadcast_app.command("list")
def list_(cohort: Annotated[str, typer.Option("--cohort", help="The cohort id")]) -> None:
    """The cohort's broadcasts: when, to whom, and whether they are cancelled."""
    from rich.table import Table

    catalog = _catalog(cohort)
    found = _run(catalog, cohort, lambda store: store.broadcasts(cohort))
    table = Table("id", "send at (UTC)", "to", "rsvp", "ics", "version", "state", "from")
    for b in found:
        table.add_row(
            str(b.id),
            f"{b.send_at:%Y-%m-%d %H:%M}",
            b.targets,
            "yes" if b.rsvp else "",
            b.gathering or "",
            str(b.version),
            b.state,
            b.source,
        )
    Console(width=120).print(table)


# status, correct and cancel live beside this module; importing it registers them
from bot import cli_broadcast_manage as cli_broadcast_manage  # noqa: E402
