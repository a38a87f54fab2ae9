"""Rounds of learning buddies against storage: make a round (once), top it up with late
joiners and people whose buddy left, and tell listeners what changed.

The planner pass (``BuddyRounds.plan``, called in the planning transaction) makes each round
of a cohort with a ``buddies:`` block on its date, and every ``top_up_every`` (an hour)
places newcomers in the running round. Introductions are not made here: a listener
(``listeners``) gets every ``RoundChange`` inside the same transaction, so what it queues
is written with the groups.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.buddies import BuddyGroup
from bot.domain.buddy_rounds import (
    BuddyRound,
    LeftOut,
    buddy_rounds,
    candidate,
    left_out_reason,
    policy_of,
    round_seed,
    takes_part,
)
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.pairing import pair
from bot.domain.pairing_rules import Candidate, Weights, met_before
from bot.domain.pairing_topup import top_up
from bot.domain.people import Person
from bot.domain.ports_pairing import PairingPort
from bot.features import buddy_left_out


@dataclass
class RoundChange:
    """What one pass did to a round: groups made, newcomers who joined a pair, groups ended
    because a member left, and who is left out (and why)."""

    cohort_id: str
    round: int
    created: list[BuddyGroup] = field(default_factory=list)
    joined: list[tuple[BuddyGroup, int]] = field(default_factory=list)  # (group now, newcomer)
    ended: list[BuddyGroup] = field(default_factory=list)
    left_out: dict[int, LeftOut] = field(default_factory=dict)
    candidates: dict[int, Candidate] = field(default_factory=dict)
    history: dict[int, frozenset[int]] = field(default_factory=dict)  # who met before it
    seed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.joined or self.ended)


Listener = Callable[[PairingPort, RoundChange, datetime], Awaitable[None]]


async def gather(
    store: PairingPort, cohort: Cohort, round_: BuddyRound, members: list[Person] | None = None
) -> tuple[dict[int, Candidate], dict[int, LeftOut]]:
    """The round's candidates, and the participants left out with their reason (of
    ``members``, the cohort's people, when they are read already)."""
    if members is None:
        members = await store.people_in_cohort(cohort.id)
    people = [p for p in members if takes_part(p)]
    opted = await store.buddy_opt_outs(cohort.id)
    joined = await store.people_with_identity(cohort.id)
    unreachable = {u.person_id for u in await store.unreachable_people(cohort.id)}
    found: dict[int, Candidate] = {}
    left: dict[int, LeftOut] = {}
    for person in people:
        reason = left_out_reason(
            person,
            cohort,
            round_,
            opted_out=person.id in opted,
            joined=person.id in joined,
            unreachable=person.id in unreachable,
        )
        if reason is None:
            found[person.id] = candidate(person, cohort)
        else:
            left[person.id] = reason
    return found, left


async def make_round(
    store: PairingPort,
    cohort: Cohort,
    round_: BuddyRound,
    now: datetime,
    seed: int | None = None,
    dry_run: bool = False,
) -> RoundChange | None:
    """Pair a round that is not made yet (None: it is made already, by whoever came first).
    With ``dry_run`` nothing is written and the groups have id 0."""
    seed = round_seed(cohort.id, round_.number) if seed is None else seed
    if dry_run:
        if round_.number in await store.buddy_rounds_made(cohort.id):
            return None
    elif not await store.claim_buddy_round(cohort.id, round_.number, seed, now):
        return None
    people, left = await gather(store, cohort, round_)
    history = met_before(g.members for g in await store.buddy_groups(cohort.id))
    weights = Weights.of(policy_of(cohort).weights)
    found = pair(people.values(), history, weights, seed)
    change = RoundChange(cohort.id, round_.number, left_out=left, candidates=people)
    change.history, change.seed = dict(history), seed
    change.left_out |= {person_id: LeftOut.NO_MATCH for person_id in found.unmatched}
    if dry_run:
        change.created = [BuddyGroup(0, cohort.id, round_.number, g, now) for g in found.groups]
    else:
        change.created = await store.save_buddy_groups(cohort.id, round_.number, found.groups, now)
    return change


async def top_up_round(
    store: PairingPort, cohort: Cohort, round_: BuddyRound, now: datetime, dry_run: bool = False
) -> RoundChange:
    """Place everyone of a made round who has no group in it: late joiners, people back from
    a pause or a platform, and those whose buddy left (their group is ended first). Other
    groups stay as they are."""
    everyone = await store.people_in_cohort(cohort.id)
    people, left = await gather(store, cohort, round_, everyone)
    groups = await store.buddy_groups(cohort.id)
    history = met_before(g.members for g in groups)
    change = RoundChange(cohort.id, round_.number, candidates=people, history=dict(history))
    in_cohort = {p.id for p in everyone}
    open_groups: list[BuddyGroup] = []
    for group in groups:
        if group.round != round_.number or not group.open:
            continue
        stayers = tuple(m for m in group.members if m in in_cohort)
        if len(stayers) == len(group.members) and len(stayers) >= 2:
            open_groups.append(group)
            continue
        change.ended.append(group)
        if not dry_run:
            await store.end_buddy_group(group.id, now, "left")
        if len(stayers) >= 2:  # a trio lost one: the other two go on together
            kept = await _save(store, cohort, round_, [stayers], now, dry_run)
            open_groups += kept
            change.created += kept
    placed = {m for g in open_groups for m in g.members}
    newcomers = [c for person_id, c in people.items() if person_id not in placed]
    change.left_out = {p: r for p, r in left.items() if p not in placed}
    if not newcomers:
        return change
    weights = Weights.of(policy_of(cohort).weights)
    seed = round_seed(cohort.id, round_.number) + len(groups)
    members = [[people[m] for m in g.members if m in people] for g in open_groups]
    usable = [
        m if len(m) == len(g.members) else [] for m, g in zip(members, open_groups, strict=True)
    ]
    found, joins = top_up(newcomers, usable, history, weights, seed)
    change.created += await _save(store, cohort, round_, list(found.groups), now, dry_run)
    for index, person_id in joins:
        group = open_groups[index]
        if not dry_run:
            await store.add_buddy_member(group.id, person_id)
        members_now = tuple(sorted((*group.members, person_id)))
        change.joined.append((_with_members(group, members_now), person_id))
    change.left_out |= {person_id: LeftOut.NO_MATCH for person_id in found.unmatched}
    return change


async def _save(
    store: PairingPort,
    cohort: Cohort,
    round_: BuddyRound,
    groups: list[tuple[int, ...]],
    now: datetime,
    dry_run: bool,
) -> list[BuddyGroup]:
    if dry_run:
        return [BuddyGroup(0, cohort.id, round_.number, g, now) for g in groups]
    return await store.save_buddy_groups(cohort.id, round_.number, groups, now)


def _with_members(group: BuddyGroup, members: tuple[int, ...]) -> BuddyGroup:
    return BuddyGroup(
        group.id, group.cohort_id, group.round, members, group.created_at, group.ended_at
    )


class BuddyRounds:
    """The planner's part for buddies: make rounds on their date, top up the running one."""

    def __init__(self, catalog: Catalog, top_up_every: timedelta = timedelta(hours=1)):
        self.catalog = catalog
        self.top_up_every = top_up_every
        self.listeners: list[Listener] = []
        self._made: dict[str, set[int]] = {}  # rounds known to be made (never unmade)
        self._topped: dict[str, datetime] = {}
        self._rounds = {cid: buddy_rounds(c) for cid, c in catalog.cohorts.items() if c.buddies}

    async def plan(self, store: PairingPort, now: datetime) -> list[RoundChange]:
        """Make what is due and top up running rounds; returns what changed (after telling
        the listeners)."""
        changes: list[RoundChange] = []
        for cohort in self.catalog.cohorts.values():
            if cohort.buddies is not None:
                changes += await self._plan_cohort(store, cohort, now)
        for change in changes:
            await self.notify(store, change, now)
        return changes

    async def notify(self, store: PairingPort, change: RoundChange, now: datetime) -> None:
        """Note who the change left out, and tell the listeners (introductions) what
        changed; also for changes made by an organiser's command or in chat."""
        await buddy_left_out.record(store, change.cohort_id, change.round, change.left_out, now)
        if change.changed:
            for listener in self.listeners:
                await listener(store, change, now)

    async def _plan_cohort(
        self, store: PairingPort, cohort: Cohort, now: datetime
    ) -> list[RoundChange]:
        today = now.astimezone(cohort.tz).date()
        rounds = [r for r in self._rounds[cohort.id] if r.starts_at <= now and today <= r.ends]
        made = self._made.setdefault(cohort.id, set())
        changes: list[RoundChange] = []
        passed = False  # made or topped up on this pass: tell who returned
        if any(r.number not in made for r in rounds):
            made |= set(await store.buddy_rounds_made(cohort.id))
            for round_ in rounds:
                if round_.number not in made:
                    change = await make_round(store, cohort, round_, now)
                    made.add(round_.number)
                    if change is not None:
                        changes.append(change)
                        self._topped[cohort.id] = now
                        passed = True
        last = self._topped.get(cohort.id)
        unmatched: set[int] = set()
        quiet: list[RoundChange] = []  # a top-up that changed nothing still has its left-out
        if last is None or now - last >= self.top_up_every:
            # hourly, also between rounds: someone back after a round hears of the next
            self._topped[cohort.id] = now
            passed = True
            if rounds:
                change = await top_up_round(store, cohort, rounds[-1], now)
                if change.changed:
                    changes.append(change)
                else:
                    quiet.append(change)
                unmatched = {p for p, r in change.left_out.items() if r == LeftOut.NO_MATCH}
        if passed:
            for change in changes + quiet:  # left-out rows first, so no match is told now
                await buddy_left_out.record(store, cohort.id, change.round, change.left_out, now)
            running = rounds[-1] if rounds else None
            unmatched |= {
                person_id
                for change in changes
                if running is not None and change.round == running.number
                for person_id, reason in change.left_out.items()
                if reason == LeftOut.NO_MATCH
            }
            await buddy_left_out.tell_returned(store, self.catalog, cohort, running, unmatched, now)
        return changes
