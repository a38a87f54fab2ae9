"""`kompis privacy`: export a person's data, forget a person, purge a finished cohort."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

privacy_app = typer.Typer(
    help="Personal data (GDPR): export, forget a person, purge a finished cohort.",
    no_args_is_help=True,
)

Email = Annotated[str | None, typer.Option("--person", help="The person's e-mail address")]
PersonId = Annotated[
    int | None, typer.Option("--id", help="The person's id (when an e-mail is ambiguous)")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


def _counts(counts: dict[str, int], verb: str) -> None:
    if not counts:
        typer.echo(f"nothing to {verb}")
        return
    width = max(len(name) for name in counts)
    for name in sorted(counts):
        typer.echo(f"  {name:<{width}}  {counts[name]}")
    typer.echo(f"  {'total':<{width}}  {sum(counts.values())}")


@privacy_app.command("export")
def export(
    person: Email = None,
    person_id: PersonId = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the JSON to this file (else stdout)")
    ] = None,
) -> None:
    """Everything Kompis stores about a person, as one JSON file (what `mydata` sends)."""
    from bot.cli import _settings
    from bot.privacy import PrivacyError
    from bot.privacy import export as export_person

    settings = _settings()
    try:
        text = asyncio.run(export_person(settings, person, person_id))
    except PrivacyError as exc:
        raise _fail(str(exc)) from exc
    if out is None:
        typer.echo(text, nl=False)
        return
    try:  # personal data: readable by the organiser only
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise _fail(f"{out}: cannot write: {exc.strerror} (choose another --out)") from exc
    typer.echo(f"wrote {out}", err=True)


@privacy_app.command("forget")
def forget(
    person: Email = None,
    person_id: PersonId = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before deleting")] = False,
) -> None:
    """Delete a person and everything that names them, in one transaction. Reflections they
    shared anonymously stay without a name; sent messages to others that name them are
    scrubbed, pending ones withdrawn."""
    from bot.cli import _settings
    from bot.privacy import PrivacyError
    from bot.privacy import forget as forget_person

    settings = _settings()
    who = person or f"id {person_id}"
    try:
        if not yes:
            planned = asyncio.run(forget_person(settings, person, person_id, dry_run=True))
            typer.echo(f"forgetting {who} would delete or change:")
            _counts(planned, "do")
            if not typer.confirm("delete all of it? This cannot be undone"):
                raise _fail("nothing was deleted", code=1)
        counts = asyncio.run(forget_person(settings, person, person_id))
    except PrivacyError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"forgot {who}:")
    _counts(counts, "delete")


@privacy_app.command("purge")
def purge(
    cohort: Annotated[str, typer.Option("--cohort", help="The cohort id")],
    older_than: Annotated[
        str, typer.Option("--older-than", help="How long ago it ended: 90d, 12m, 1y")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would be deleted")
    ] = False,
) -> None:
    """Delete a finished cohort's personal data: its people (those in no other cohort
    entirely) and what they did in it. Prints the counts per table."""
    from bot.cli import _settings
    from bot.privacy import PrivacyError
    from bot.privacy import purge as purge_cohort

    settings = _settings()
    try:
        counts = asyncio.run(purge_cohort(settings, cohort, older_than, dry_run=dry_run))
    except PrivacyError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        f"{'would delete (dry run, nothing changed)' if dry_run else 'deleted'} in {cohort}:"
    )
    _counts(counts, "delete")
