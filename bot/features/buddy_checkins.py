"""Check-ins and delivery notes for learning buddies, planned on the scheduler's tick.

Mid-stage (from the middle day between a stage's opening and its due date, before the due
date), each member of a group that has exchanged nothing since the stage opened gets one
friendly "did you talk?" with four answers (yes / not yet / we can't find time / I'd like a
new buddy). It is a planned message of its own, sent at the cohort's send time and never in
quiet hours or on a day off; the answers are stored for ``kompis report buddies``.

The tick also tells a sender when a copy of their message could not be delivered after all
(the buddy blocked Kompis, or lost every account, after the message was queued).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast

from bot.domain.buddies import BuddyGroup
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.messages import Button, Outgoing
from bot.domain.planner import person_moment, release_moment
from bot.domain.ports_relay import RelayPort
from bot.domain.relay import CHECKIN_ANSWERS
from bot.errors import UserError
from bot.features.buddies import write_button
from bot.features.context import Context
from bot.rendering.i18n import N_

ANSWER_LABELS = {
    "yes": N_("Yes, we have talked"),
    "not_yet": N_("Not yet"),
    "no_time": N_("We can't find time"),
    "new_buddy": N_("I'd like a new buddy"),
}


class BuddyCare:
    """What the scheduler's tick does for buddies. A stage's check-ins are planned once per
    process (a group made later has had no time to talk; one that talked stays asked or
    not), so the groups are not read again on every tick."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._planned: set[tuple[str, str]] = set()  # (cohort, module/stage)

    async def tick(self, store: RelayPort, now: datetime) -> int:
        """Queue what is due now: notes on undelivered copies, then check-ins. Idempotent."""
        added = await notify_undelivered(store, now)
        for cohort_id in self.catalog.cohorts:
            cohort = self.catalog.cohort(cohort_id)
            stages = checkin_stages(cohort, now.astimezone(cohort.tz).date())
            todo = [s for s in stages if (cohort_id, s[0]) not in self._planned]
            if todo:
                added += await plan_checkins(store, cohort, now, todo)
                self._planned.update((cohort_id, ref) for ref, _opened in todo)
        return added


async def notify_undelivered(store: RelayPort, now: datetime) -> int:
    """Tell each sender, once per copy, that their buddy did not get a message."""
    found = await store.undelivered_copies()
    items = []
    for copy in found:
        buddy = await store.person(copy.recipient_id)
        items.append(
            Outgoing(
                copy.sender_id,
                "buddy_undelivered",
                {"name": buddy.name if buddy else ""},
                key=f"buddy_undelivered:{copy.delivery_id}",
            )
        )
    await store.mark_copies_notified([c.delivery_id for c in found], now)
    return await store.enqueue(items, now)


def checkin_stages(cohort: Cohort, today: date) -> list[tuple[str, date]]:
    """The stages in their check-in window today: (module/stage, the day the stage opened).
    The window runs from the middle day of the stage to the day before it is due; a stage of
    less than three days has none."""
    found = []
    for module in cohort.modules:
        for stage_id, dates in module.stages.items():
            if (dates.due - dates.opens).days < 2:
                continue
            middle = dates.opens + (dates.due - dates.opens) // 2
            if middle <= today < dates.due:
                found.append((f"{module.module}/{stage_id}", dates.opens))
    return found


async def plan_checkins(
    store: RelayPort, cohort: Cohort, now: datetime, stages: list[tuple[str, date]]
) -> int:
    """Ask every quiet group of the cohort in these stages (see ``checkin_stages``)."""
    today = now.astimezone(cohort.tz).date()
    groups = [g for g in await store.buddy_groups(cohort.id, open_only=True) if len(g.members) > 1]
    added = 0
    for stage_ref, opened in stages:
        since = cohort.local(opened, time(0, 0))
        # a group made since the stage opened has had no time yet
        older = [g for g in groups if g.created_at <= since + timedelta(days=1)]
        asked = await store.checkins_asked([g.id for g in older], stage_ref)
        stats = await store.buddy_message_stats([g.id for g in older], since=since)
        quiet = [g for g in older if g.id not in asked and g.id not in stats]
        if quiet:
            added += await _ask(store, cohort, quiet, stage_ref, today, now)
    return added


async def _ask(
    store: RelayPort,
    cohort: Cohort,
    groups: list[BuddyGroup],
    stage_ref: str,
    today: date,
    now: datetime,
) -> int:
    """Record and queue the check-ins of these groups, in a few statements whatever their
    number: one per member, at the member's send time (never in quiet hours)."""
    people = await store.people({m for g in groups for m in g.members})
    ids = await store.add_checkins([(g.id, m) for g in groups for m in g.members], stage_ref, now)
    soonest = release_moment(cohort, now)
    by_moment: dict[datetime, list[Outgoing]] = {}
    for group in groups:
        for member in group.members:
            person, checkin = people.get(member), ids.get((group.id, member))
            if person is None or checkin is None:
                continue
            if person.paused_until and person.paused_until > now:
                continue
            others = [people[m].name for m in group.members if m != member and m in people]
            buttons = tuple(
                Button(label, f"buddy_checkin:{checkin}:{answer}")
                for answer, label in ANSWER_LABELS.items()
            )
            at = max(person_moment(cohort, today, person.timezone), soonest)
            by_moment.setdefault(at, []).append(
                Outgoing(
                    member,
                    "buddy_checkin",
                    {"names": others},
                    buttons,
                    key=f"buddy_checkin:{checkin}",
                    kind="checkin",
                )
            )
    return sum([await store.enqueue(items, now, not_before=at) for at, items in by_moment.items()])


async def answer(ctx: Context, argument: str) -> None:
    """A check-in button: the answer is stored (a later press replaces it)."""
    store = cast(RelayPort, ctx.store)
    number, _, choice = argument.partition(":")
    if not number.isdigit() or choice not in CHECKIN_ANSWERS:
        raise UserError("buddy_checkin_unknown")
    found = await store.answer_checkin(int(number), ctx.person.id, choice, ctx.now)
    if found is None:
        raise UserError("buddy_checkin_unknown")
    group = await store.buddy_group_of(ctx.person.id, ctx.person.cohort_id)
    buttons = (write_button(),) if group and choice in ("not_yet", "no_time") else ()
    ctx.reply("buddy_checkin_thanks", buttons, answer=choice)
