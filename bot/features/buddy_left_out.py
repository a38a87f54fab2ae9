"""People left out of a buddy round are told why when they return.

When a round is made or topped up, everyone left out for a reason that can pass (paused for
the whole round, unreachable, taken out by an organiser) or for no possible buddy is noted
(``buddy_left_out``). On the planner's hourly pass, after the top-up, each person whose
reason no longer holds (the pause is over, an app reaches them again, the organiser let them
back in; no match: at once) and whom Kompis can reach gets one message: why they had no
buddy in that round and what happens now (a buddy now, whose introduction follows; the next
round's date; no more rounds). A person who chose to have no buddy knows why, and is not
told. The message is keyed by cohort, round and person, so it is queued once however many
processes plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain.buddy_rounds import BuddyRound, LeftOut, buddy_rounds
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.messages import Outgoing
from bot.domain.ports_pairing import LeftOutRecord, PairingPort

#: the reasons worth telling about: they pass, or (no match) they are news
TOLD = frozenset({LeftOut.PAUSED, LeftOut.UNREACHABLE, LeftOut.OPTED_OUT, LeftOut.NO_MATCH})

NOW, NO_MATCH, NEXT, OVER = "now", "no_match", "next", "over"


async def record(
    store: PairingPort,
    cohort_id: str,
    round_: int,
    left_out: dict[int, LeftOut],
    now: datetime,
    told: Iterable[int] = (),
) -> int:
    """Note who a round left out, for the reasons Kompis tells about later; a person who
    opted out themselves is not noted (they know why)."""
    if not left_out:
        return 0
    opted = await store.buddy_opt_outs(cohort_id)
    reasons = {
        person_id: reason.value
        for person_id, reason in left_out.items()
        if reason in TOLD and (reason != LeftOut.OPTED_OUT or opted.get(person_id) == "unpaired")
    }
    return await store.record_left_out(cohort_id, round_, reasons, now, told)


def _still_holds(
    record_: LeftOutRecord, paused_until: datetime | None, opted: str | None, now: datetime
) -> bool:
    if record_.reason == LeftOut.PAUSED:
        return paused_until is not None and paused_until > now
    if record_.reason == LeftOut.OPTED_OUT:
        return opted == "unpaired"
    return False  # unreachable: checked for everyone; no match: told at once


async def tell_returned(
    store: PairingPort,
    catalog: Catalog,
    cohort: Cohort,
    running: BuddyRound | None,
    unmatched: set[int],
    now: datetime,
) -> int:
    """Queue the notices for people whose reason has passed (see the module docstring);
    ``running``: the round running now, topped up already; ``unmatched``: who it found no
    buddy for. Returns how many were queued."""
    pending = await store.pending_left_out(cohort.id)
    if not pending:
        return 0
    latest: dict[int, LeftOutRecord] = {}
    for found in pending:  # oldest round first: the latest round's row wins
        latest[found.person_id] = found
    people = {p.id: p for p in await store.people_in_cohort(cohort.id)}
    opted = await store.buddy_opt_outs(cohort.id)
    joined = await store.people_with_identity(cohort.id)
    unreachable = {u.person_id for u in await store.unreachable_people(cohort.id)}
    items: list[Outgoing] = []
    for person_id, found in latest.items():
        person = people.get(person_id)
        if person is None or opted.get(person_id) == "self":
            await store.mark_left_out_told(cohort.id, person_id, now)  # gone, or knows why
            continue
        if person_id not in joined or person_id in unreachable:
            continue  # cannot read it yet
        if _still_holds(found, person.paused_until, opted.get(person_id), now):
            continue
        params = await _what_now(store, catalog, cohort, found, running, unmatched, now)
        items.append(
            Outgoing(
                person_id,
                "buddy_left_out",
                params,
                key=f"buddy_left_out:{cohort.id}:{found.round}:{person_id}",
                kind="buddy",
            )
        )
        await store.mark_left_out_told(cohort.id, person_id, now)
    return await store.enqueue(items, now) if items else 0


async def _what_now(
    store: PairingPort,
    catalog: Catalog,
    cohort: Cohort,
    found: LeftOutRecord,
    running: BuddyRound | None,
    unmatched: set[int],
    now: datetime,
) -> dict[str, object]:
    rounds = buddy_rounds(cohort)
    then = next((r for r in rounds if r.number == found.round), None)
    module = catalog.programme_of(cohort.id).module(then.module) if then and then.module else None
    params: dict[str, object] = {
        "reason": found.reason,
        "module": module.title if module else None,
        "next": None,
    }
    group = await store.buddy_group_of(found.person_id, cohort.id)
    if running is not None and group is not None and group.round == running.number:
        return params | {"now": NOW}
    if running is not None and found.person_id in unmatched:
        return params | {"now": NO_MATCH}
    coming = [r for r in rounds if r.starts_at > now]
    if coming:
        day = coming[0].starts_at.astimezone(cohort.tz).date()
        return params | {"now": NEXT, "next": day.isoformat()}
    return params | {"now": OVER}
