"""`kompis buddies`: pair a round, list it, swap two people, take one out or back in.

Works beside a running bot on SQLite and PostgreSQL: each command is one transaction, and a
round is made once whoever comes first (the planner or this command). Bad input: one line
and exit code 2; nothing is written then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from bot.buddies_view import render_groups, render_left_out, statistics_lines
from bot.domain.buddies import BuddyGroup
from bot.domain.buddy_rounds import BuddyRound, LeftOut, buddy_rounds, current_round, policy_of
from bot.domain.catalog import Catalog
from bot.domain.clock import SystemClock
from bot.domain.cohort import Cohort
from bot.domain.pairing_rules import Weights
from bot.domain.people import Person
from bot.features.buddy_admin import BuddyAdminError, include, swap, unpair
from bot.features.buddy_rounds import RoundChange, gather, make_round, top_up_round

if TYPE_CHECKING:
    from bot.storage.repo import Store

buddies_app = typer.Typer(
    help="Learning buddies: pair a round, list it, swap two people, take one out.",
    no_args_is_help=True,
)
T = TypeVar("T")
CohortOption = Annotated[str, typer.Option("--cohort", help="The cohort id")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)


def _console() -> Console:
    return Console(width=120)


@dataclass
class _Listing:
    groups: list[BuddyGroup]
    made: dict[int, int]
    number: int
    left: dict[int, LeftOut]
    people: dict[int, Person]


@dataclass
class _Context:
    catalog: Catalog
    cohort: Cohort


def _load(cohort_id: str) -> tuple[_Context, object]:
    from bot.cli import _settings
    from bot.curriculum.loader import load_catalog

    settings = _settings()
    catalog, problems = load_catalog(settings.content_dir, settings.schedules_dir)
    if cohort_id not in catalog.cohorts:
        known = ", ".join(sorted(catalog.cohorts)) or "none"
        hint = " (run `kompis check`: some data files have problems)" if problems else ""
        raise _fail(f"unknown cohort {cohort_id!r}; known cohorts: {known}{hint}")
    return _Context(catalog, catalog.cohort(cohort_id)), settings


def _run(settings: object, catalog: Catalog, work: Callable[[Store, object], Awaitable[T]]) -> T:
    """One transaction through the app (migrated, cohort synced, listeners registered)."""
    from bot.app import Kompis
    from bot.settings import Settings
    from bot.storage.repo import unit

    assert isinstance(settings, Settings)

    async def go() -> T:
        app = Kompis(settings, SystemClock(), {}, catalog)
        await app.start(lock=False)
        try:
            async with unit(app.db) as store:
                return await work(store, app)
        finally:
            await app.stop()

    try:
        return asyncio.run(go())
    except BuddyAdminError as exc:
        raise _fail(str(exc)) from exc


async def _notify(app: object, store: Store, change: RoundChange, now: datetime) -> None:
    """Tell the app's listeners (introductions), as the planner would."""
    from bot.app import Kompis

    assert isinstance(app, Kompis)
    await app.buddy_rounds.notify(store, change, now)


def _round(cohort: Cohort, number: int | None, now: datetime) -> BuddyRound:
    rounds = buddy_rounds(cohort)
    if not rounds:
        raise _fail(f"{cohort.id} has no modules scheduled, so no buddy rounds")
    if number is None:
        found = current_round(cohort, now.astimezone(cohort.tz).date())
        assert found is not None
        return found
    chosen = next((r for r in rounds if r.number == number), None)
    if chosen is None:
        listed = ", ".join(str(r.number) for r in rounds)
        raise _fail(f"{cohort.id} has no round {number}; its rounds are {listed} (--round)")
    return chosen


async def _people(store: Store, cohort: Cohort) -> dict[int, Person]:
    return {p.id: p for p in await store.people_in_cohort(cohort.id)}


def _show_round(
    cohort: Cohort,
    title: str,
    shown: list[BuddyGroup],
    whole: list[BuddyGroup],
    earlier: list[BuddyGroup],
    people: dict[int, Person],
) -> None:
    console = _console()
    render_groups(console, cohort, title, shown, people)
    for line in statistics_lines(
        cohort, whole, earlier, people, Weights.of(policy_of(cohort).weights)
    ):
        console.print(line)


@buddies_app.command("pair")
def pair_command(
    cohort: CohortOption,
    round_number: Annotated[
        int | None, typer.Option("--round", help="The round (default: the one running now)")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of a new round's pairing")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, write nothing")] = False,
) -> None:
    """Make a round's groups (or, if it is made, place everyone still without a buddy) and
    print them with the statistics: cross-organisation share, repeats, trios, preferences."""
    context, settings = _load(cohort)
    now = SystemClock().now()
    target = _round(context.cohort, round_number, now)
    c = context.cohort

    async def work(
        store: Store, app: object
    ) -> tuple[RoundChange, bool, list[BuddyGroup], dict[int, Person]]:
        made = await store.buddy_rounds_made(c.id)
        fresh = target.number not in made
        if not fresh and seed is not None:
            raise BuddyAdminError(
                f"round {target.number} of {c.id} is made already (seed {made[target.number]}); "
                "--seed only applies to a new round"
            )
        change = (
            await make_round(store, c, target, now, seed, dry_run)
            if fresh
            else await top_up_round(store, c, target, now, dry_run)
        )
        if change is None:
            raise BuddyAdminError(
                f"round {target.number} of {c.id} was just made by the running bot; "
                f"see kompis buddies list --cohort {c.id}"
            )
        if not dry_run:
            await _notify(app, store, change, now)
        return change, fresh, await store.buddy_groups(c.id), await _people(store, c)

    change, fresh, groups, people = _run(settings, context.catalog, work)
    earlier = [g for g in groups if g.round < target.number]
    whole = [g for g in groups if g.round == target.number and g.open]
    if dry_run:
        whole = change.created if fresh else whole
    verb = "would be" if dry_run else "were"
    if fresh:
        title = f"Round {target.number} of {c.id} (seed {change.seed}): groups that {verb} made"
    else:
        title = f"Round {target.number} of {c.id} was made already: groups that {verb} added"
    shown = change.created + [group for group, _ in change.joined]
    _show_round(c, title, shown, whole, earlier, people)
    render_left_out(_console(), c, change.left_out, people)


@buddies_app.command("list")
def list_command(
    cohort: CohortOption,
    round_number: Annotated[
        int | None, typer.Option("--round", help="The round (default: the latest made)")
    ] = None,
) -> None:
    """The groups of a round, its statistics, and who has no buddy in it and why."""
    context, settings = _load(cohort)
    c = context.cohort

    async def work(store: Store, _app: object) -> _Listing:
        made = await store.buddy_rounds_made(c.id)
        number = round_number or max(made, default=0)
        left: dict[int, LeftOut] = {}
        groups = await store.buddy_groups(c.id)
        if number in made:
            _candidates, left = await gather(store, c, _round(c, number, SystemClock().now()))
            placed = {m for g in groups if g.round == number and g.open for m in g.members}
            left = {p: r for p, r in left.items() if p not in placed}
        return _Listing(groups, made, number, left, await _people(store, c))

    found = _run(settings, context.catalog, work)
    groups, made, number = found.groups, found.made, found.number
    if not made:
        typer.echo(
            f"no buddy rounds in {c.id} yet; make one with kompis buddies pair --cohort {c.id}"
        )
        return
    if number not in made:
        listed = ", ".join(str(n) for n in sorted(made))
        raise _fail(f"round {number} of {c.id} is not made; made rounds: {listed} (--round)")
    whole = [g for g in groups if g.round == number and g.open]
    ended = [g for g in groups if g.round == number and not g.open]
    earlier = [g for g in groups if g.round < number]
    title = f"Round {number} of {c.id} (seed {made[number]})"
    _show_round(c, title, whole, whole, earlier, found.people)
    if ended:
        _console().print(f"{len(ended)} earlier group(s) of this round ended (left, swapped)")
    render_left_out(_console(), c, found.left, found.people)


@buddies_app.command("swap")
def swap_command(
    cohort: CohortOption,
    first: Annotated[str, typer.Argument(help="E-mail of one person")],
    second: Annotated[str, typer.Argument(help="E-mail of the other")],
    force: Annotated[
        bool, typer.Option("--force", help="Allow two who met before (never one organisation)")
    ] = False,
) -> None:
    """Swap two people between their groups; the rules are checked again."""
    context, settings = _load(cohort)
    c = context.cohort
    now = SystemClock().now()

    async def work(store: Store, app: object) -> tuple[list[BuddyGroup], dict[int, Person]]:
        done = await swap(store, c, first, second, now, force)
        change = RoundChange(c.id, done.created[0].round, done.created, ended=done.ended)
        await _notify(app, store, change, now)
        return done.created, await _people(store, c)

    created, people = _run(settings, context.catalog, work)
    render_groups(_console(), c, f"Swapped {first} and {second}", created, people)


@buddies_app.command("unpair")
def unpair_command(
    cohort: CohortOption,
    email: Annotated[str, typer.Argument(help="E-mail of the person to take out")],
) -> None:
    """Take a person out of pairing; their buddy gets a new one at once."""
    context, settings = _load(cohort)
    c = context.cohort
    now = SystemClock().now()

    async def work(store: Store, app: object) -> tuple[RoundChange, dict[int, Person]]:
        change = await unpair(store, c, email, now)
        await _notify(app, store, change, now)
        return change, await _people(store, c)

    change, people = _run(settings, context.catalog, work)
    console = _console()
    console.print(f"{email} is taken out of pairing in {c.id} (kompis buddies include undoes it)")
    shown = change.created + [group for group, _ in change.joined]
    if shown:
        render_groups(console, c, "Their buddies now", shown, people)
    alone = {p: r for p, r in change.left_out.items() if p in change.ended[0].members}
    if alone:
        render_left_out(console, c, alone, people)


@buddies_app.command("include")
def include_command(
    cohort: CohortOption,
    email: Annotated[str, typer.Argument(help="E-mail of the person to take back in")],
) -> None:
    """Let a person taken out (or who opted out) have a buddy again."""
    context, settings = _load(cohort)
    c = context.cohort
    now = SystemClock().now()

    async def work(store: Store, app: object) -> tuple[RoundChange, dict[int, Person]]:
        change = await include(store, c, email, now)
        await _notify(app, store, change, now)
        return change, await _people(store, c)

    change, people = _run(settings, context.catalog, work)
    shown = change.created + [group for group, _ in change.joined]
    _console().print(f"{email} can have a buddy again in {c.id}")
    if shown:
        render_groups(_console(), c, "New groups", shown, people)
