"""Events for a gathering group or several organisations: only the people they are for are
told the day before."""

from __future__ import annotations

from bot.domain.cohort import Audience
from bot.domain.people import Role
from bot.domain.planner import OccasionKind, occasions
from bot.features.forecast import audience_from_rows
from tests.helpers import shipped_catalog

LEADER = frozenset({Role.PARTICIPANT})
COORDINATOR = frozenset({Role.PARTICIPANT, Role.COORDINATOR})
ROWS = [
    ("Inger Marie Balto", "karasjok", COORDINATOR),
    ("Mathis Sara", "kautokeino", LEADER),
    ("Mona Henriksen", "alta", COORDINATOR),
    ("Rune Pettersen", "alta", LEADER),
    ("Kari Nilsen", "tromso", COORDINATOR),
]


def told(event_id: str) -> set[str]:
    catalog = shipped_catalog()
    cohort, programme = catalog.cohort("tf-2027"), catalog.programme_of("tf-2027")
    audience = audience_from_rows(cohort, programme, ROWS)
    eves = [
        o
        for o in occasions(programme, cohort)
        if o.kind == OccasionKind.EVENT_EVE and o.event == event_id
    ]
    assert len(eves) == 1
    return {person.name for _o, person, _part in audience.fan_out(eves)}


def test_an_event_for_a_gathering_groups_coordinators() -> None:
    # dag-3 is Finnmark: Karasjok and Alta; Tromsø meets on day 1; Mathis and Rune lead
    assert told("koord-finnmark-reise") == {"Inger Marie Balto", "Mona Henriksen"}


def test_an_event_for_several_organisations() -> None:
    assert told("samisk-tjenester") == {"Inger Marie Balto", "Mathis Sara"}


def test_audience_parts_all_have_to_match() -> None:
    both = Audience(organisations=["alta", "tromso"], role="coordinator")
    assert both.includes("alta", "dag-3", frozenset({"coordinator"}))
    assert not both.includes("alta", "dag-3", frozenset({"participant"}))
    assert not both.includes("karasjok", "dag-3", frozenset({"coordinator"}))
    one = Audience(organisation="tromso", group="dag-1")
    assert one.includes("tromso", "dag-1", frozenset())
    assert not one.includes("tromso", "dag-2", frozenset())
    assert Audience().includes(None, None, frozenset())
