"""`kompis invites`: invitations for a cohort (CSV for a mail merge), and revoking them."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.errors import ConfigError

invites_app = typer.Typer(
    help="One-time invitations: a Telegram deep link and a join code per person.",
    invoke_without_command=True,
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


@invites_app.callback()
def invites(
    ctx: typer.Context,
    cohort: Annotated[str | None, typer.Option("--cohort", help="The cohort id")] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the invitations to this CSV file")
    ] = None,
) -> None:
    """Invite everyone in the cohort who has no Telegram account linked yet. Each gets a new
    link and code (an earlier unused one stops working), valid for KOMPIS_INVITE_DAYS."""
    if ctx.invoked_subcommand is not None:
        return
    if cohort is None:
        raise _fail("name the cohort: kompis invites --cohort ID [--csv FILE]", code=2)
    from bot.cli import _catalog_with, _settings
    from bot.invites import issue, write_csv, write_file
    from bot.transports.base import TransportError
    from bot.transports.telegram import bot_username

    settings = _settings()
    if settings.telegram_token is None:
        raise _fail(
            "set KOMPIS_TELEGRAM_TOKEN: the invitation links name the bot, "
            "and Kompis asks Telegram for its username",
            code=2,
        )
    catalog = _catalog_with(settings, cohort)
    token = settings.telegram_token.get_secret_value()
    try:
        username = asyncio.run(bot_username(token, settings.telegram_api_url))
        lines = asyncio.run(issue(settings, catalog, cohort, username))
    except (TransportError, ConfigError) as exc:
        raise _fail(str(exc)) from exc
    if csv_file is not None:
        try:
            write_file(lines, csv_file)
        except OSError as exc:
            raise _fail(f"{csv_file}: cannot write: {exc.strerror} (choose another --csv)") from exc
    else:
        write_csv(lines, sys.stdout)
    if not lines:
        typer.echo(f"everyone in {cohort} already has Telegram linked; no invitations", err=True)
        return
    where = f" in {csv_file}" if csv_file else ""
    typer.echo(
        f"{len(lines)} invitation(s) for {cohort}{where}, valid until {lines[0].expires}",
        err=True,
    )


@invites_app.command("revoke")
def revoke(
    person: Annotated[str, typer.Option("--person", help="The person's e-mail address")],
) -> None:
    """Make a person's unused invitations stop working (a lost or forwarded link)."""
    from bot.cli import _settings
    from bot.curriculum.loader import load_catalog
    from bot.invites import UnknownPerson
    from bot.invites import revoke as revoke_invites

    settings = _settings()
    catalog, _problems = load_catalog(settings.content_dir, settings.schedules_dir)
    try:
        count = asyncio.run(revoke_invites(settings, catalog, person))
    except UnknownPerson as exc:
        raise _fail(f"no person with the e-mail {person!r}; check the address") from exc
    typer.echo(f"{count} unused invitation(s) of {person} revoked")
