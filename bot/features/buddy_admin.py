"""What an organiser does to buddies by hand: swap two people (the rules checked again),
take someone out of pairing (their buddy is re-paired), let them back in.

Every refusal is a ``BuddyAdminError`` with one line saying what and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.buddies import BuddyGroup
from bot.domain.buddy_rounds import candidate
from bot.domain.cohort import Cohort
from bot.domain.pairing_rules import REPEAT, SAME_ORGANISATION, group_problem, met_before
from bot.domain.people import Person
from bot.domain.ports_pairing import PairingPort
from bot.features.buddy_membership import step_in, step_out
from bot.features.buddy_rounds import RoundChange


class BuddyAdminError(Exception):
    """A request the rules refuse, or bad input; the message is the one line to print."""


@dataclass
class Swapped:
    ended: list[BuddyGroup]
    created: list[BuddyGroup]
    forced: list[str] = field(default_factory=list)  # rules broken on purpose (--force)


async def person_in(store: PairingPort, cohort: Cohort, email: str) -> Person:
    person = await store.person_by_email(email.strip().lower(), cohort.id)
    if person is None:
        raise BuddyAdminError(f"no person with the e-mail {email!r} in {cohort.id}; check it")
    return person


async def _group_of(store: PairingPort, cohort: Cohort, person: Person) -> BuddyGroup:
    group = await store.buddy_group_of(person.id, cohort.id)
    if group is None:
        raise BuddyAdminError(
            f"{person.email} has no buddy now; pair them first "
            f"(kompis buddies pair --cohort {cohort.id})"
        )
    return group


async def swap(
    store: PairingPort, cohort: Cohort, email_a: str, email_b: str, now: datetime, force: bool
) -> Swapped:
    """A takes B's place and B takes A's. Refused when it would put two people of one
    organisation together (always) or two who met before (unless ``force``)."""
    a, b = await person_in(store, cohort, email_a), await person_in(store, cohort, email_b)
    if a.id == b.id:
        raise BuddyAdminError("name two different people to swap")
    group_a, group_b = await _group_of(store, cohort, a), await _group_of(store, cohort, b)
    if group_a.id == group_b.id:
        raise BuddyAdminError(f"{a.email} and {b.email} are buddies already; nothing to swap")
    if group_a.round != group_b.round:
        raise BuddyAdminError(
            f"{a.email} is in round {group_a.round} and {b.email} in round {group_b.round}; "
            "swap people of one round"
        )
    new_a = tuple(sorted([m for m in group_a.members if m != a.id] + [b.id]))
    new_b = tuple(sorted([m for m in group_b.members if m != b.id] + [a.id]))
    everyone: dict[int, Person] = {}
    for person_id in {*new_a, *new_b}:
        found = await store.person(person_id, cohort.id)
        if found is None or found.organisation is None:
            raise BuddyAdminError(f"person {person_id} is no longer in {cohort.id}; try again")
        everyone[person_id] = found
    groups = await store.buddy_groups(cohort.id)
    history = met_before(g.members for g in groups)
    forced: list[str] = []
    for incoming, members in ((b, new_a), (a, new_b)):
        for other in members:
            if other == incoming.id:
                continue
            pair = [candidate(everyone[incoming.id], cohort), candidate(everyone[other], cohort)]
            problem = group_problem(pair, history)
            who = f"{incoming.email} and {everyone[other].email}"
            if problem == SAME_ORGANISATION:
                raise BuddyAdminError(
                    f"{who} are of one organisation ({everyone[other].organisation}); buddies "
                    "come from different organisations, so choose someone else (--force does "
                    "not change this)"
                )
            if problem == REPEAT:
                if not force:
                    raise BuddyAdminError(
                        f"{who} were buddies before; choose someone else, or add --force to "
                        "pair them again"
                    )
                forced.append(f"{who} were buddies before")
    for group in (group_a, group_b):
        await store.end_buddy_group(group.id, now, "swapped")
    created = await store.save_buddy_groups(cohort.id, group_a.round, [new_a, new_b], now)
    return Swapped([group_a, group_b], created, forced)


async def unpair(store: PairingPort, cohort: Cohort, email: str, now: datetime) -> RoundChange:
    """Take a person out of pairing in the cohort: their group ends, the others go on
    together (two of a trio) or are re-paired at once, and are told; they stay out until
    included again. The caller tells the round listeners (``BuddyRounds.notify``)."""
    person = await person_in(store, cohort, email)
    group = await _group_of(store, cohort, person)
    return await step_out(store, cohort, person, group, now, "unpaired", notify=None)


async def include(store: PairingPort, cohort: Cohort, email: str, now: datetime) -> RoundChange:
    """Let a person who was taken out (or opted out) have a buddy again, placed at once in
    the running round when it has been made."""
    person = await person_in(store, cohort, email)
    if not await store.set_buddy_opt_out(cohort.id, person.id, False, now):
        raise BuddyAdminError(f"{person.email} is not left out of pairing; nothing to do")
    return await step_in(store, cohort, person, now)
