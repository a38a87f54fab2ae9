"""Stepping out of learning buddies and back in, by person: what a leader's ``buddy off`` /
``buddy on`` in chat and an organiser's ``kompis buddies unpair|include`` share.

Stepping out ends the person's group: the other two of a trio go on as a pair, a lone buddy
is re-paired at once in the same round; the others are told kindly that their buddy stepped
out (no reason given) and whether a new buddy comes. Stepping back in places the person at
once in the running round when it has been made. The listeners (introductions) hear of each
change through ``notify``, as they do of the planner's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.buddies import BuddyGroup
from bot.domain.buddy_rounds import BuddyRound, LeftOut, buddy_rounds, current_round
from bot.domain.cohort import Cohort
from bot.domain.messages import Outgoing
from bot.domain.people import Person
from bot.domain.ports_pairing import PairingPort
from bot.features import buddy_left_out
from bot.features.buddy_rounds import RoundChange, top_up_round

Notify = Callable[[PairingPort, RoundChange, datetime], Awaitable[None]]

#: what a person back in pairing has now
NOW, NO_MATCH, NEXT, OVER = "now", "no_match", "next", "over"


def round_numbered(cohort: Cohort, number: int, now: datetime) -> BuddyRound | None:
    found = next((r for r in buddy_rounds(cohort) if r.number == number), None)
    return found or current_round(cohort, now.astimezone(cohort.tz).date())


async def step_out(
    store: PairingPort,
    cohort: Cohort,
    person: Person,
    group: BuddyGroup,
    now: datetime,
    reason: str,
    notify: Notify | None,
) -> RoundChange:
    """Leave ``person`` out of pairing (``reason``: "self" or "unpaired") and end their
    ``group``; the others go on together or are re-paired, and are told."""
    await store.set_buddy_opt_out(cohort.id, person.id, True, now, reason=reason)
    await store.end_buddy_group(group.id, now, reason)
    stayers = tuple(m for m in group.members if m != person.id)
    created: list[BuddyGroup] = []
    if len(stayers) >= 2:
        created = await store.save_buddy_groups(cohort.id, group.round, [stayers], now)
    round_ = round_numbered(cohort, group.round, now)
    change = RoundChange(cohort.id, group.round)
    if round_ is not None:
        change = await top_up_round(store, cohort, round_, now)
    change.ended.insert(0, group)
    change.created[:0] = created
    await _tell_stayers(store, cohort, group, stayers, change, now)
    if notify is not None:
        await notify(store, change, now)
    return change


async def _tell_stayers(
    store: PairingPort,
    cohort: Cohort,
    group: BuddyGroup,
    stayers: tuple[int, ...],
    change: RoundChange,
    now: datetime,
) -> None:
    placed = {m for g in change.created for m in g.members} | {m for _, m in change.joined}
    items = []
    told_no_match: list[int] = []
    for member in stayers:
        others = [await store.person(m) for m in stayers if m != member]
        still = [p.name for p in others if p is not None]
        if still:
            news = "pair"
        elif member in placed:
            news = "new"
        else:
            news = "none"
            if change.left_out.get(member) == LeftOut.NO_MATCH:
                told_no_match.append(member)
        items.append(
            Outgoing(
                member,
                "buddy_stepped_out",
                {"still": still, "news": news},
                key=f"buddy_out:{group.id}:{member}",
            )
        )
    await store.enqueue(items, now)
    # told here that no buddy comes now: not told again by the planner
    await buddy_left_out.record(
        store, cohort.id, change.round, change.left_out, now, told=told_no_match
    )


async def step_in(store: PairingPort, cohort: Cohort, person: Person, now: datetime) -> RoundChange:
    """Top up the current round (running or next, when it is made already: an organiser may
    pair it early) with ``person``, back in pairing; an empty change when it is not made
    yet or the last round is over."""
    today = now.astimezone(cohort.tz).date()
    round_ = current_round(cohort, today)
    if round_ is None or round_.ends < today:  # the last round is over
        return RoundChange(cohort.id, round_.number if round_ else 0)
    if round_.number not in await store.buddy_rounds_made(cohort.id):  # made early or not
        return RoundChange(cohort.id, round_.number)
    return await top_up_round(store, cohort, round_, now)


def outcome(cohort: Cohort, person_id: int, change: RoundChange, now: datetime) -> dict[str, str]:
    """What ``step_in`` gave the person: a buddy now, no match yet, the next round's day
    (``next``: ISO date), or no more rounds."""
    placed = {m for g in change.created for m in g.members} | {m for _, m in change.joined}
    if person_id in placed:
        return {"now": NOW}
    if change.left_out.get(person_id) == LeftOut.NO_MATCH:
        return {"now": NO_MATCH}
    today = now.astimezone(cohort.tz).date()
    coming = [r for r in buddy_rounds(cohort) if r.starts_at > now or r.opens > today]
    if coming:
        return {"now": NEXT, "next": coming[0].starts_at.astimezone(cohort.tz).date().isoformat()}
    return {"now": OVER}
