"""How `kompis buddies` shows groups, statistics and who is left out (rich tables)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

from bot.domain.buddies import BuddyGroup
from bot.domain.buddy_rounds import LeftOut, candidate
from bot.domain.cohort import Cohort
from bot.domain.pairing_rules import Candidate, Weights, met_before, statistics
from bot.domain.people import Person

PREFERENCE_NAMES = {
    "same_group": "same gathering group",
    "language": "a shared language",
    "role_mix": "a mix of roles",
    "size_mix": "different organisation size",
}
REASONS = {
    LeftOut.OPTED_OUT: "opted out or taken out (kompis buddies include brings them back)",
    LeftOut.PAUSED: "paused for the whole round",
    LeftOut.NOT_JOINED: "has not joined the bot yet",
    LeftOut.UNREACHABLE: "cannot be reached on any platform",
    LeftOut.NO_ORGANISATION: "has no organisation of the schedule",
    LeftOut.NO_MATCH: "no buddy possible: everyone free is of their organisation or met before",
}


def candidates_of(people: Iterable[Person], cohort: Cohort) -> dict[int, Candidate]:
    return {
        p.id: candidate(p, cohort)
        for p in people
        if p.organisation and cohort.organisation(p.organisation)
    }


def _who(person: Person | None, cohort: Cohort) -> str:
    if person is None:
        return "(no longer in the cohort)"
    org = cohort.organisation(person.organisation or "")
    return f"{person.name} ({org.name if org else '-'}) {person.email or ''}".rstrip()


def render_groups(
    console: Console,
    cohort: Cohort,
    title: str,
    groups: Sequence[BuddyGroup],
    people: dict[int, Person],
    notes: dict[int, str] | None = None,
) -> None:
    """One row per group: its id, its members with their organisation, a note."""
    console.print(title)
    if not groups:
        console.print("(no groups)")
        return
    table = Table()
    for column in ("group", "round", "members", "note"):
        table.add_column(column)
    for group in groups:
        members = "\n".join(_who(people.get(m), cohort) for m in group.members)
        note = (notes or {}).get(group.id, "trio" if len(group.members) == 3 else "")
        table.add_row(str(group.id or "-"), str(group.round), members, note)
    console.print(table)


def statistics_lines(
    cohort: Cohort,
    groups: Sequence[BuddyGroup],
    earlier: Iterable[BuddyGroup],
    people: dict[int, Person],
    weights: Weights,
) -> list[str]:
    """The round's figures: groups, trios, cross-organisation share, repeats, preferences."""
    known = candidates_of(people.values(), cohort)
    members = [g.members for g in groups if all(m in known for m in g.members)]
    stats = statistics(members, known, met_before(g.members for g in earlier), weights)
    rates = ", ".join(
        f"{PREFERENCE_NAMES[name]} {rate:.0%}" for name, rate in stats.hit_rates.items()
    )
    return [
        f"{stats.groups} group(s), {stats.trios} trio(s), {stats.people} people with a buddy",
        f"cross-organisation {stats.cross_organisation:.0%}, repeats {stats.repeats}",
        f"preferences met: {rates}" if stats.groups else "preferences met: -",
    ]


def render_left_out(
    console: Console, cohort: Cohort, left: dict[int, LeftOut], people: dict[int, Person]
) -> None:
    if not left:
        console.print("Nobody is left out.")
        return
    counts = Counter(left.values())
    console.print(
        f"{len(left)} left out: "
        + ", ".join(f"{reason.value.replace('_', ' ')} {n}" for reason, n in counts.items())
    )
    table = Table()
    for column in ("who", "why"):
        table.add_column(column)
    for person_id, reason in sorted(left.items(), key=lambda item: (item[1], item[0])):
        person = people.get(person_id)
        table.add_row(_who(person, cohort), REASONS[reason])
    console.print(table)
