"""`kompis broadcast status|correct|cancel ID`: the tally and delivery report, corrections
that edit what is out, and cancelling what has not gone yet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli_broadcast import _any_catalog, _fail, _run, broadcast_app, read_message
from bot.domain.broadcast import BroadcastError, State
from bot.domain.broadcast_records import Broadcast
from bot.domain.catalog import Catalog
from bot.features.broadcasts_report import OUTCOMES, Report, organisation_name
from bot.storage.repo import Store

ANSWER_LABELS = {"coming": "coming", "not_coming": "not coming", "maybe": "maybe", "none": "-"}


async def _find(store: Store, catalog: Catalog, broadcast_id: int) -> Broadcast:
    found = await store.broadcast(broadcast_id)
    if found is None:
        raise BroadcastError(
            f"no broadcast {broadcast_id} (see `kompis broadcast list --cohort ID`)"
        )
    if found.cohort_id not in catalog.cohorts:
        raise BroadcastError(
            f"broadcast {broadcast_id} is for cohort {found.cohort_id!r}, which is not in "
            "schedules/ any more (restore its schedule)"
        )
    return found


@broadcast_app.command("status")
def status(broadcast_id: Annotated[int, typer.Argument(help="The broadcast's id")]) -> None:
    """The RSVP tally per organisation, who has not answered, and the delivery report."""
    from bot.features.broadcasts_report import report

    catalog = _any_catalog()

    async def work(store: Store) -> Report:
        found = await _find(store, catalog, broadcast_id)
        return await report(store, catalog.cohort(found.cohort_id), found)

    shown = _run(catalog, None, work)
    show_report(shown, catalog, Console(width=120))


def show_report(shown: Report, catalog: Catalog, console: Console) -> None:
    b = shown.broadcast
    cohort = catalog.cohort(b.cohort_id)
    console.print(
        f"broadcast {b.id} to {b.targets} in {b.cohort_id}: {b.state}, version {b.version}, "
        f"send at {b.send_at:%Y-%m-%d %H:%M} UTC"
    )
    if b.rsvp:
        answers = ("coming", "not_coming", "maybe", "none")
        tally = Table("organisation", *(ANSWER_LABELS[a] for a in answers), title="RSVP")
        for org, counts in sorted(shown.tally.items()):
            tally.add_row(org, *(str(counts[a]) for a in answers))
        tally.add_row("all", *(str(sum(c[a] for c in shown.tally.values())) for a in answers))
        console.print(tally)
        if shown.unanswered:
            names = [
                f"{p.name} ({organisation_name(cohort, p.organisation)})" for p in shown.unanswered
            ]
            console.print("not answered: " + ", ".join(names))
    delivery = Table("platform", "organisation", *OUTCOMES, title="delivery")
    for (platform, org), counts in sorted(shown.delivery.items()):
        delivery.add_row(platform, org, *(str(counts[o]) for o in OUTCOMES))
    delivery.add_row("all", "", *(str(shown.total(o)) for o in OUTCOMES))
    console.print(delivery)
    if shown.cancelled_before_sending:
        console.print(f"cancelled before sending: {shown.cancelled_before_sending}")


@broadcast_app.command("cancel")
def cancel(broadcast_id: Annotated[int, typer.Argument(help="The broadcast's id")]) -> None:
    """Stop a broadcast: nothing more of it is sent (also a copy a worker holds right now)."""
    from bot.features.broadcasts import cancel as cancel_broadcast

    catalog = _any_catalog()

    async def work(store: Store) -> tuple[int, int]:
        found = await _find(store, catalog, broadcast_id)
        if found.state == State.CANCELLED:
            raise BroadcastError(f"broadcast {broadcast_id} is already cancelled")
        return await cancel_broadcast(store, found, datetime.now(UTC))

    stopped, sent = _run(catalog, None, work)
    already = f"; {sent} had already gone out" if sent else ""
    typer.echo(f"broadcast {broadcast_id} cancelled: {stopped} copies not sent{already}")


@broadcast_app.command("correct")
def correct(
    broadcast_id: Annotated[int, typer.Argument(help="The broadcast's id")],
    message: Annotated[Path, typer.Option("--message", help="The corrected YAML file")],
) -> None:
    """Correct a broadcast: copies already out are edited in place (re-sent, marked as a
    correction, where the platform cannot edit them); queued copies take the new text; a
    new .ics with the same UID and a higher SEQUENCE follows every calendar file sent."""
    from bot.features.broadcasts import Corrected
    from bot.features.broadcasts import correct as correct_broadcast

    catalog = _any_catalog()
    try:
        text = read_message(message)
    except BroadcastError as exc:
        raise _fail(str(exc)) from exc

    async def work(store: Store) -> Corrected:
        found = await _find(store, catalog, broadcast_id)
        if found.state == State.CANCELLED:
            raise BroadcastError(f"broadcast {broadcast_id} is cancelled; send a new one")
        return await correct_broadcast(store, catalog, found, text, datetime.now(UTC))

    done = _run(catalog, None, work)
    typer.echo(
        f"broadcast {broadcast_id} corrected (version {done.version}): {done.edited} sent "
        f"copies edited, {done.pending} queued copies take the new text, "
        f"{done.unreachable} not reached"
    )
