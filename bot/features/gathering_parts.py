"""The parts of gathering eves and events: who of an audience is told of a gathering of
their group or an event for them, and what it says (``bot.features.fanout``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bot.domain.people import Person, Role
from bot.domain.planner import Occasion, OccasionKind
from bot.domain.programme import StageKind
from bot.features.parts import Part

if TYPE_CHECKING:
    from bot.features.fanout import Audience


def gathering_part(a: Audience, occasion: Occasion, person: Person, today: date) -> Part | None:
    if not person.has(Role.PARTICIPANT) or a.groups.get(person.organisation or "") != (
        occasion.group
    ):
        return None
    params = gathering_params(a, occasion.module, occasion.group)
    if not params:
        return None
    return Part(
        OccasionKind.GATHERING_EVE,
        "gathering_eve",
        params,
        (),
        f"gathering:{occasion.module}:{occasion.group}",
    )


def gathering_params(a: Audience, module_id: str, group: str | None) -> dict[str, Any]:
    sched = a.cohort.schedule_for(module_id)
    module = a.programme.module(module_id)
    if sched is None or module is None:
        return {}
    gathering = next((g for g in sched.gatherings if g.group == group), None)
    if gathering is None:
        return {}
    return {
        "module": module.title,
        "date": gathering.date.isoformat(),
        "start": gathering.start.isoformat("minutes"),
        "end": gathering.end.isoformat("minutes"),
        "place": gathering.place,
        # "bring your notes from the pre-work" only where the module has pre-work
        "pre_work": any(s.kind == StageKind.PRE_WORK for s in module.stages),
    }


def event_part(a: Audience, occasion: Occasion, person: Person, today: date) -> Part | None:
    event = next((e for e in a.cohort.events if e.id == occasion.event), None)
    roles = frozenset(r.value for r in person.roles)
    if event is None or not event.audience.includes(person.organisation, a.group_of(person), roles):
        return None
    params = {
        "title": event.title,
        "date": event.date.isoformat(),
        "start": event.start.isoformat("minutes"),
        "end": event.end.isoformat("minutes") if event.end else None,
        "place": event.place,
        "event_kind": event.kind.value,
    }
    return Part(OccasionKind.EVENT_EVE, "event_eve", params, (), f"event:{event.id}")
