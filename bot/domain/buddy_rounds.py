"""When rounds of learning buddies are made, and who takes part in one (pure).

``rounds: programme`` gives one round (number 1) for the whole programme, made at the first
stage's opening; ``rounds: module`` gives a round per module, numbered by the module's place
in the schedule, made at the module's first opening. A round is made at the cohort's send
time on the opening's working day, so introductions go out with that day's message.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.buddy_policy import BuddyPolicy, RoundKind
from bot.domain.cohort import Cohort
from bot.domain.pairing_rules import Candidate
from bot.domain.people import Person, Role
from bot.domain.planner import calendar_for


@dataclass(frozen=True)
class BuddyRound:
    number: int
    module: str | None  # None: the programme-long round
    opens: date  # its first stage opens
    ends: date  # its last deadline
    starts_at: datetime  # aware, UTC: when the planner makes it

    def runs_on(self, day: date) -> bool:
        return self.opens <= day <= self.ends


def policy_of(cohort: Cohort) -> BuddyPolicy:
    return cohort.buddies or BuddyPolicy()


def buddy_rounds(cohort: Cohort) -> list[BuddyRound]:
    """The cohort's rounds, in order."""
    windows = [
        (index + 1, sched.module, [d for s in sched.stages.values() for d in (s.opens, s.due)])
        for index, sched in enumerate(cohort.modules)
        if sched.stages
    ]
    if not windows:
        return []
    if policy_of(cohort).rounds == RoundKind.PROGRAMME:
        days = [d for _, _, found in windows for d in found]
        return [_round(cohort, 1, None, min(days), max(days))]
    return [_round(cohort, n, module, min(days), max(days)) for n, module, days in windows]


def _round(cohort: Cohort, number: int, module: str | None, opens: date, ends: date) -> BuddyRound:
    day = calendar_for(cohort).next_working_day(opens)
    moment = cohort.local(day, cohort.reminders.send_time).astimezone(UTC)
    return BuddyRound(number, module, opens, ends, moment)


def current_round(cohort: Cohort, today: date) -> BuddyRound | None:
    """The round running on ``today`` (the latest begun, if rounds overlap), else the next
    one to come, else the last."""
    rounds = buddy_rounds(cohort)
    begun = [r for r in rounds if r.opens <= today]
    running = [r for r in begun if today <= r.ends]
    if running:
        return running[-1]
    coming = [r for r in rounds if r.opens > today]
    return coming[0] if coming else (rounds[-1] if rounds else None)


def round_seed(cohort_id: str, number: int) -> int:
    """The default seed of a round: the same for the same cohort and round, everywhere."""
    return zlib.crc32(f"{cohort_id}:{number}".encode()) & 0x7FFFFFFF


class LeftOut(StrEnum):
    """Why a participant gets no buddy in a round."""

    OPTED_OUT = "opted_out"  # asked for none, or an organiser took them out
    PAUSED = "paused"  # paused for the whole round
    NOT_JOINED = "not_joined"  # has not linked a chat account yet
    UNREACHABLE = "unreachable"  # no platform can reach them
    NO_ORGANISATION = "no_organisation"
    NO_MATCH = "no_match"  # every possible buddy is of their organisation or met before


def left_out_reason(
    person: Person,
    cohort: Cohort,
    round_: BuddyRound,
    *,
    opted_out: bool,
    joined: bool,
    unreachable: bool,
) -> LeftOut | None:
    """Why ``person`` (a participant) is left out of ``round_``, or None if they take part."""
    if person.organisation is None or cohort.organisation(person.organisation) is None:
        return LeftOut.NO_ORGANISATION
    if opted_out:
        return LeftOut.OPTED_OUT
    end = cohort.local(round_.ends + timedelta(days=1), time(0, 0))
    if person.paused_until is not None and person.paused_until >= end:
        return LeftOut.PAUSED
    if not joined:
        return LeftOut.NOT_JOINED
    if unreachable:
        return LeftOut.UNREACHABLE
    return None


def takes_part(person: Person) -> bool:
    """Only participants get buddies (a coordinator who is also a participant does)."""
    return person.has(Role.PARTICIPANT)


def candidate(person: Person, cohort: Cohort) -> Candidate:
    """What the pairing compares of a person (who has an organisation in the cohort)."""
    org = cohort.organisation(person.organisation or "")
    assert org is not None
    return Candidate(
        person.id,
        org.id,
        org.group,
        person.locale or cohort.locale,
        frozenset(role.value for role in person.roles),
        policy_of(cohort).size_class(org.kind.value, org.size),
    )
