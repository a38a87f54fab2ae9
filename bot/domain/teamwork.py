"""Leadership-team work (``scope: team``): done by an organisation's team together, so one
member marking it done makes it done for every participant of that organisation in the
cohort, and the rest are not chased for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.domain.people import Person, Role
from bot.domain.programme import Programme, Scope, activity_ref


def team_refs(programme: Programme) -> frozenset[str]:
    """The refs of every activity of the programme done as a leadership team."""
    return frozenset(
        activity_ref(module, stage, activity)
        for module in programme.modules
        for stage in module.stages
        for activity in stage.activities
        if activity.scope == Scope.TEAM
    )


@dataclass(frozen=True)
class TeamWork:
    """Each person's completions with their team's work shared in, and who did it."""

    done: dict[int, set[str]]
    #: person id -> ref -> the name of the teammate who marked it (not the person's own)
    by: dict[int, dict[str, str]] = field(default_factory=dict)


def share_team_work(
    programme: Programme, people: Iterable[Person], done: dict[int, set[str]]
) -> TeamWork:
    """``done`` (person id -> refs) with every team ref one participant of an organisation
    marked added for the other participants of that organisation among ``people`` (one
    cohort). Where several marked it, the first of them by name is named."""
    refs = team_refs(programme)
    team = [p for p in people if p.has(Role.PARTICIPANT) and p.organisation]
    if not refs or not team:
        return TeamWork(done)
    # per organisation, ref -> who marked it first (by name): each person then looks only
    # at their own organisation's marks, not at every organisation's
    marked = [p for p in team if not refs.isdisjoint(done.get(p.id, ()))]
    markers: dict[str, dict[str, Person]] = {}
    for person in sorted(marked, key=lambda p: (p.name, p.id)):
        for ref in done.get(person.id, set()) & refs:
            markers.setdefault(person.organisation or "", {}).setdefault(ref, person)
    # a person's set is copied only when their team's work is added to it
    shared = dict(done)
    by: dict[int, dict[str, str]] = {}
    for person in team:
        theirs = markers.get(person.organisation or "", {})
        own = shared.get(person.id, set())
        added = {ref: marker.name for ref, marker in theirs.items() if ref not in own}
        if added:
            shared[person.id] = own | added.keys()
            by[person.id] = added
        elif person.id not in shared:
            shared[person.id] = set()
    return TeamWork(shared, by)


def team_work_of(person: Person, own: set[str], marked: Iterable[tuple[int, str, str]]) -> TeamWork:
    """One person's completions with their team's: ``marked`` is (person id, name, ref) of
    team work the organisation's participants marked (the person's own among them)."""
    done = set(own)
    by: dict[str, str] = {}
    for _pid, name, ref in sorted(marked, key=lambda m: (m[1], m[0])):
        if ref not in own and ref not in by:
            by[ref] = name
            done.add(ref)
    if not person.has(Role.PARTICIPANT):
        return TeamWork({person.id: set(own)})
    return TeamWork({person.id: done}, {person.id: by} if by else {})
