"""Introducing learning buddies to each other, and telling them when one leaves.

An introduction names the others (name, organisation, role: nothing more) and offers a
conversation starter from the current module's reflection task, in each person's own
language (rendered late, per recipient), with a "Write to my buddy" button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, cast

from bot.domain.buddies import BuddyGroup
from bot.domain.catalog import Catalog
from bot.domain.cohort import organisation_label
from bot.domain.messages import Outgoing
from bot.domain.people import Person, Role
from bot.domain.ports_relay import RelayPort
from bot.domain.programme import ActivityKind, Module
from bot.features.buddies import write_button


def current_module(catalog: Catalog, cohort_id: str, now: datetime) -> Module | None:
    """The module running today; else the next to start; else the last one."""
    cohort = catalog.cohort(cohort_id)
    programme = catalog.programme_of(cohort_id)
    today = now.astimezone(cohort.tz).date()
    spans = []
    for schedule in cohort.modules:
        module = programme.module(schedule.module)
        if module is not None and schedule.stages:
            days = [d for s in schedule.stages.values() for d in (s.opens, s.due)]
            spans.append((min(days), max(days), module))
    running = [m for start, end, m in spans if start <= today <= end]
    coming = sorted((start, n, m) for n, (start, _end, m) in enumerate(spans) if start > today)
    if running:
        return running[0]
    if coming:
        return coming[0][2]
    return spans[-1][2] if spans else None


def starter(module: Module | None) -> dict[str, str] | None:
    """The module's first reflection task, as a LocalText, to talk about first."""
    for stage in module.stages if module else []:
        for activity in stage.activities:
            if activity.kind == ActivityKind.REFLECTION:
                return activity.body or activity.title
    return None


def role(person: Person) -> str:
    if person.has(Role.COORDINATOR):
        return "coordinator"
    return "organiser" if person.has(Role.ORGANISER) else "leader"


def _about(person: Person, catalog: Catalog) -> dict[str, Any]:
    organisation = catalog.cohort(person.cohort_id).organisation(person.organisation or "")
    return {
        "name": person.name,
        # its official name in the reader's language (Romssa suohkan), rendered per reader
        "organisation": organisation_label(organisation) if organisation else "",
        "role": role(person),
    }


async def introduce(
    store: RelayPort,
    catalog: Catalog,
    groups: Iterable[BuddyGroup],
    now: datetime,
    since: str = "",
) -> int:
    """Queue an introduction to every member of each group (once per group and person:
    calling it again is harmless; ``since`` names a change after which the group is
    introduced again, a newcomer joining a pair). Returns how many were queued."""
    items = []
    for group in groups:
        module = current_module(catalog, group.cohort_id, now)
        people = [await store.person(m, group.cohort_id) for m in group.members]
        known = [p for p in people if p is not None]
        for person in known:
            others = [_about(p, catalog) for p in known if p.id != person.id]
            if not others:
                continue
            params = {
                "others": others,
                "module": module.title if module else None,
                "starter": starter(module),
            }
            items.append(
                Outgoing(
                    person.id,
                    "buddy_intro",
                    params,
                    (write_button(),),
                    key=f"buddy_intro:{group.id}:{person.id}{since}",
                    kind="buddy",
                )
            )
    return await store.enqueue(items, now)


async def buddy_left(store: RelayPort, person_id: int, now: datetime) -> int:
    """The person leaves (``forget`` calls this just before deleting them): each of their
    open groups ends (the other two of a trio go on as a pair), the others are told kindly
    (without the leaver's name: it is being erased), and the copies of what they wrote are
    deleted from the outbox. Returns how many groups ended."""
    groups = await store.open_groups_of(person_id)
    items = []
    for group in groups:
        await store.end_buddy_group(group.id, now, "left")
        remaining = [m for m in group.members if m != person_id]
        if len(remaining) > 1:  # a trio goes on as a pair, in the same round
            await store.save_buddy_groups(group.cohort_id, group.round, [remaining], now)
        for member in remaining:
            others = [await store.person(m) for m in remaining if m != member]
            items.append(
                Outgoing(
                    member,
                    "buddy_left",
                    {"still": [p.name for p in others if p is not None]},
                    key=f"buddy_left:{group.id}:{member}",
                )
            )
    await store.forget_copies_from(person_id)
    await store.enqueue(items, now)
    return len(groups)


def introductions(catalog: Catalog) -> Callable[[Any, Any, datetime], Awaitable[None]]:
    """The listener the planner's buddy rounds tell of each change (``bot.app``): new groups
    are introduced; a newcomer who joins a pair as the third is introduced to both, and the
    two to the newcomer."""

    async def listen(store: Any, change: Any, now: datetime) -> None:
        relay = cast(RelayPort, store)
        await introduce(relay, catalog, change.created, now)
        for group, newcomer in change.joined:
            await introduce(relay, catalog, [group], now, since=f":with:{newcomer}")

    return listen
