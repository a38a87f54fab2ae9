"""A world for reflection-bank tests: the demo cohort on the memory transport, one person of
every kind of reader, and a second cohort whose leader must never read the first's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.people import Role, Visibility
from bot.storage.repo import unit
from tests.helpers import Harness

REF = "kom-i-gang/forarbeid/refleksjon-1"
OTHER_COHORT = "demo-2"
#: viewer kind -> the memory handle of a person of that kind (the stranger is not linked)
HANDLES = {
    "author": "kari.nordvik",  # Tromsø, participant
    "buddy": "anna.lindqvist",  # Kiruna, Kari's learning buddy
    "leader": "liv.fjell",  # Alta, a leader of the same cohort, nobody's buddy
    "coordinator": "ola.bakken",  # Tromsø: the author's coordinator
    "other_coordinator": "johan.berglund",  # Haparanda's coordinator
    "organiser": "emma.hansen",
    "other_cohort": "nils.annen",  # a leader of Tromsø, in another cohort
    "stranger": "stranger",
}
AUTHOR_NAMES = ("Kari", "Nordvik", "Tromsø kommune", "tromso")


@dataclass
class World:
    harness: Harness
    ids: dict[str, int] = field(default_factory=dict)

    async def say(self, kind: str, text: str = "", action: str | None = None) -> list[str]:
        """What the person of ``kind`` received because of this (and anything sent meanwhile
        to them)."""
        handle = HANDLES[kind]
        before = len(self.harness.texts(handle))
        await self.harness.say(handle, text, action=action)
        return self.harness.texts(handle)[before:]

    @property
    def now(self) -> datetime:
        return self.harness.clock.now()

    def received(self, kind: str, since: int = 0) -> list[str]:
        return self.harness.texts(HANDLES[kind])[since:]

    async def answer(self, text: str, ref: str = REF, kind: str = "author") -> int:
        await self.say(kind, action=f"reflect:{ref}")
        await self.say(kind, text)
        async with unit(self.harness.app.db) as store:
            found = await store.reflection_id(self.ids[kind], ref)
        assert found is not None, self.received(kind)[-3:]
        return found

    async def share(self, entry: int, visibility: Visibility, kind: str = "author") -> None:
        await self.say(kind, action=f"bank_share:{entry}:{visibility.value}")


async def world(database_url: str) -> World:
    harness = Harness(database_url)
    demo = harness.catalog.cohorts["demo"]
    harness.catalog.cohorts[OTHER_COHORT] = demo.model_copy(
        update={"id": OTHER_COHORT, "participants": None}
    )
    await harness.start()
    found = World(harness)
    now = harness.clock.now()
    async with unit(harness.app.db) as store:
        for handle, cohort, org in (
            ("liv.fjell", "demo", "alta"),
            ("nils.annen", OTHER_COHORT, "tromso"),
        ):
            first, last = handle.split(".")
            person = await store.add_person(
                name=f"{first.title()} {last.title()}",
                cohort_id=cohort,
                organisation=org,
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email=f"{handle}@{org}.example.org",
                locale="nb",
            )
            await store.link_identity(person, "memory", handle, handle, now)
    for kind, handle in HANDLES.items():
        if kind != "stranger":
            found.ids[kind] = await harness.person_id(handle)
    async with unit(harness.app.db) as store:
        await store.save_buddy_groups("demo", 1, [[found.ids["author"], found.ids["buddy"]]], now)
    await harness.advance(timedelta(days=1))  # the first stage opens
    return found
