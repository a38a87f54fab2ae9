"""Who gets what of an occasion: one builder per occasion kind turns an occasion into one
*part* of a person's message of the day, or nothing when it does not concern them.

The same builders answer the planner (who gets a message on a day), ``kompis schedule
preview`` and, at send time, the composer (what the message says, from the person's state
then), so there is one home for every rule of who is told what.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.messages import Button
from bot.domain.people import Person, Role
from bot.domain.planner import Occasion, OccasionKind
from bot.domain.ports import StorePort
from bot.domain.ports_schedule import TeamPort
from bot.domain.programme import LABS_MODULE, LABS_STAGE, Programme, StageKind
from bot.domain.progress import StageStatus, stage_status
from bot.domain.teamwork import TeamWork, share_team_work, team_refs, team_work_of
from bot.features.digest import digest_part
from bot.features.gathering_parts import event_part, gathering_params, gathering_part
from bot.features.parts import Part
from bot.features.views import stage_params, work_buttons
from bot.rendering.i18n import N_

STAGE_KINDS = {
    OccasionKind.STAGE_OPEN,
    OccasionKind.BEFORE_DUE,
    OccasionKind.DUE,
    OccasionKind.OVERDUE,
}


@dataclass
class Audience:
    """Everything fan-out needs about a cohort's people, read once: the same code answers
    the planner, the preview and the composer (no second implementation)."""

    cohort: Cohort
    programme: Programme
    people: list[Person]
    groups: dict[str, str | None]
    done: dict[int, set[str]]
    unreachable: set[int] = field(default_factory=set)  # people no platform can reach
    #: leadership-team work a teammate did: person id -> ref -> the teammate's name
    by: dict[int, dict[str, str]] = field(default_factory=dict)
    _by_id: dict[int, Person] = field(default_factory=dict, repr=False)
    #: per person (in order), the number of their kind of ``_profile`` (built once: an
    #: audience is kept between plan moments while nothing read of its people changed)
    _kinds: list[int] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    async def load(cls, store: StorePort, catalog: Catalog, cohort_id: str) -> Audience:
        people = await store.people_in_cohort(cohort_id)
        programme = catalog.programme_of(cohort_id)
        done: dict[int, set[str]] = {p.id: set() for p in people}
        done.update(await store.cohort_completions(cohort_id))
        team = share_team_work(programme, people, done)
        return cls(
            catalog.cohort(cohort_id),
            programme,
            people,
            await store.organisation_groups(cohort_id),
            team.done,
            await store.unreachable_in_cohort(cohort_id),
            team.by,
        )

    @classmethod
    async def of_one(cls, store: StorePort, catalog: Catalog, person: Person) -> Audience:
        """An audience of one person (their status, their message), without the cohort; with
        their leadership team's work when the programme has any."""
        programme = catalog.programme_of(person.cohort_id)
        refs = team_refs(programme)
        own = (await store.completed([person.id]))[person.id]
        if not person.organisation or not refs:
            team = TeamWork({person.id: own})
        elif isinstance(store, TeamPort):  # one query for the team's marks
            marked = await store.team_completions(person.cohort_id, person.organisation, refs)
            team = team_work_of(person, own, marked)
        else:
            mates = [
                p
                for p in await store.people_in_cohort(person.cohort_id)
                if p.organisation == person.organisation
            ]
            team = share_team_work(programme, mates, await store.completed(p.id for p in mates))
        return cls(
            catalog.cohort(person.cohort_id),
            programme,
            [person],
            await store.organisation_groups(person.cohort_id),
            {person.id: team.done.get(person.id, set())},
            by={person.id: team.by.get(person.id, {})},
        )

    def group_of(self, person: Person) -> str | None:
        """The gathering group the person's organisation meets with."""
        return self.groups.get(person.organisation or "")

    def person(self, person_id: int | None) -> Person:
        if len(self._by_id) != len(self.people):
            self._by_id = {p.id: p for p in self.people}
        return self._by_id[person_id or 0]

    def part(self, occasion: Occasion, person: Person, today: date) -> Part | None:
        """What ``occasion`` tells ``person`` on their local ``today``, or None."""
        return BUILDERS[occasion.kind](self, occasion, person, today)

    def fan_out(self, items: Iterable[Occasion]) -> Iterator[tuple[Occasion, Person, Part]]:
        """Each person's part of each occasion, for those it concerns, as of its own day.

        The builders of stages, gatherings and events are pure in what they read of a
        person (``_profile``): people alike in it get the same part, built once per
        occasion. A digest reads the whole audience and is built for each person."""
        for occasion in items:
            if occasion.kind not in PROFILED:
                for person in self.people:
                    found = self.part(occasion, person, occasion.day)
                    if found is not None:
                        yield occasion, person, found
                continue
            kinds = self._kinds_of_people()
            built: dict[int, Part | None] = {}
            for person, kind in zip(self.people, kinds, strict=True):
                if kind in built:
                    found = built[kind]
                else:
                    found = built[kind] = self.part(occasion, person, occasion.day)
                if found is not None:
                    yield occasion, person, found

    def _kinds_of_people(self) -> list[int]:
        """Each person's kind of profile, numbered in order of first appearance."""
        if len(self._kinds) != len(self.people):
            numbers: dict[Hashable, int] = {}
            self._kinds = [
                numbers.setdefault(self._profile(person), len(numbers)) for person in self.people
            ]
        return self._kinds

    def _profile(self, person: Person) -> Hashable:
        """All the stage, gathering and event builders read of a person: roles, labs,
        organisation (and so gathering group), completions and the team's work."""
        return (
            person.roles,
            person.labs,
            person.organisation,
            frozenset(self.done.get(person.id, ())),
            frozenset(self.by.get(person.id, {}).items()),
        )


Builder = Callable[[Audience, Occasion, Person, date], Part | None]


def _stage(a: Audience, occasion: Occasion, person: Person, today: date) -> Part | None:
    if not person.has(Role.PARTICIPANT):
        return None  # roles decide what is tracked: coordinators and organisers get no tasks
    topic = f"stage:{occasion.module}/{occasion.stage}"
    if occasion.module == LABS_MODULE and occasion.stage == LABS_STAGE and not person.labs:
        if occasion.kind != OccasionKind.STAGE_OPEN or not a.cohort.max_labs:
            return None
        params = {
            "labs": a.programme.labs_title,
            "max": a.cohort.max_labs,
            "due": occasion.due.isoformat() if occasion.due else None,
        }
        return Part(
            OccasionKind.STAGE_OPEN,
            "labs_invite",
            params,
            (Button(N_("Choose labs"), "labs"),),
            topic,
        )
    group = a.group_of(person)
    if not _for_group(a, occasion, group):
        return None
    done = a.done.get(person.id, set())
    status = stage_status(
        a.programme,
        a.cohort,
        occasion.module,
        occasion.stage,
        done,
        person.labs,
        group,
        a.by.get(person.id),
    )
    if status is None or (status.tracked and status.complete):
        return None
    if not status.tracked:
        # resources or a gathering day: announced as what it is, never with a deadline
        if occasion.kind != OccasionKind.STAGE_OPEN:
            return None
        params = stage_params(status) | _stage_gathering(a, status, person)
        return Part(OccasionKind.STAGE_OPEN, "stage_info", params, (), topic)
    kind = _kind_today(occasion.kind, status, today)
    params = stage_params(status) | {
        "days_left": (status.due - today).days,
        "first_reflection": not any(
            x.done for x in status.tracked if x.activity.kind.value == "reflection"
        ),
    }
    template = "stage_open" if kind == OccasionKind.STAGE_OPEN else "stage_due"
    return Part(kind, template, params | {"kind": kind}, _stage_buttons(status), topic)


def _for_group(a: Audience, occasion: Occasion, group: str | None) -> bool:
    """A stage due per gathering group is planned once per group with its own day (and once,
    without a group, for everyone else): whether this occasion is the person's one."""
    sched = a.cohort.schedule_for(occasion.module)
    dates = sched.stages.get(occasion.stage or "") if sched else None
    if dates is None or not dates.due_by_group:
        return occasion.group is None
    return occasion.group == (group if group in dates.due_by_group else None)


def _kind_today(kind: str, status: StageStatus, today: date) -> str:
    """How a deadline reminder reads on the day it is sent: a reminder held by a snooze,
    or one for a deadline on a weekend sent the Friday before, says what is true today."""
    if kind == OccasionKind.STAGE_OPEN and today <= status.due:
        return kind
    if today < status.due:
        return OccasionKind.BEFORE_DUE
    if today == status.due:
        return OccasionKind.DUE
    return OccasionKind.OVERDUE


def _stage_buttons(status: StageStatus) -> tuple[Button, ...]:
    ref = f"{status.module.id}/{status.stage.id}"
    return (
        *work_buttons([status], done_limit=3),
        Button(N_("Remind me tomorrow"), f"snooze:1 {ref}"),
    )


def _stage_gathering(a: Audience, status: StageStatus, person: Person) -> dict[str, Any]:
    if status.stage.kind not in (StageKind.GATHERING, StageKind.WORKSHOP):
        return {"gathering": None}
    found = gathering_params(a, status.module.id, a.group_of(person))
    return {"gathering": found or None}


#: The kinds whose builders read nothing of a person beyond ``Audience._profile``.
PROFILED = STAGE_KINDS | {OccasionKind.GATHERING_EVE, OccasionKind.EVENT_EVE}

BUILDERS: dict[str, Builder] = {
    OccasionKind.STAGE_OPEN: _stage,
    OccasionKind.BEFORE_DUE: _stage,
    OccasionKind.DUE: _stage,
    OccasionKind.OVERDUE: _stage,
    OccasionKind.GATHERING_EVE: gathering_part,
    OccasionKind.EVENT_EVE: event_part,
    OccasionKind.DIGEST: digest_part,
}
