"""`kompis broadcast status`: the live RSVP tally per organisation, who has not answered,
and the delivery report (sent, pending, failed, unreachable by platform and organisation)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.domain.broadcast_records import Broadcast, first_key
from bot.domain.cohort import Cohort
from bot.domain.cohort import organisation_name as official_name
from bot.domain.people import Person
from bot.domain.ports_broadcast import BroadcastPort

#: outbox status -> the delivery report's column
OUTCOME = {
    "sent": "sent",
    "pending": "pending",
    "sending": "pending",
    "dead": "failed",
    "failed": "unreachable",  # every identity of the person is unreachable
    "skipped": "unreachable",  # nobody to send to (or cancelled: see the broadcast's state)
}
OUTCOMES = ("sent", "pending", "failed", "unreachable")
NO_PLATFORM = "none"


def organisation_name(cohort: Cohort, org_id: str | None, locale: str | None = None) -> str:
    """The name an organisation is shown by: its official name in ``locale`` when the
    schedule gives one (Romssa suohkan), else its name; the cohort's language by default."""
    if org_id is None:
        return "-"
    found = cohort.organisation(org_id)
    return official_name(found, locale or cohort.locale) if found else org_id


@dataclass
class Report:
    broadcast: Broadcast
    #: organisation -> answer (or "none") -> how many
    tally: dict[str, Counter[str]] = field(default_factory=dict)
    unanswered: list[Person] = field(default_factory=list)
    #: (platform, organisation) -> outcome -> how many
    delivery: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    cancelled_before_sending: int = 0

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.delivery.values())


async def report(store: BroadcastPort, cohort: Cohort, broadcast: Broadcast) -> Report:
    found = Report(broadcast)
    people = {p.id: p for p in await store.people_in_cohort(broadcast.cohort_id)}
    rows = await store.broadcast_recipients(broadcast.id)
    deliveries = await store.deliveries(first_key(broadcast.id, r.person_id) for r in rows)
    identities = await store.identities_of([r.person_id for r in rows])
    for row in rows:
        person = people.get(row.person_id)
        org = organisation_name(cohort, person.organisation if person else None)
        if broadcast.rsvp:
            found.tally.setdefault(org, Counter())[row.answer or "none"] += 1
            if row.answer is None and person is not None:
                found.unanswered.append(person)
        delivery = deliveries.get(first_key(broadcast.id, row.person_id))
        status = delivery.status if delivery else "pending"
        if status == "skipped" and broadcast.state == "cancelled":
            found.cancelled_before_sending += 1
            continue
        platform = delivery.platform if delivery and delivery.platform else None
        if platform is None:
            reachable = [i for i in identities.get(row.person_id, []) if not i.unreachable]
            platform = reachable[0].platform if reachable else NO_PLATFORM
        outcome = OUTCOME.get(status, "pending")
        if outcome == "pending" and platform == NO_PLATFORM:
            outcome = "unreachable"
        found.delivery.setdefault((platform, org), Counter())[outcome] += 1
    return found
