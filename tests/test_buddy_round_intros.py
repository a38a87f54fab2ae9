"""The planner's buddy round and the introductions, through the real composition: when a
theme opens every leader receives their buddy's name and municipality, in Swedish; a late
joiner placed as the third of a pair is introduced to both, and they to her."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.domain.buddy_rounds import buddy_rounds
from bot.domain.people import Role
from bot.storage.repo import unit
from bot.storage.tables import IdentityRow
from tests.helpers import Harness

COHORT = "vb-2027"


async def _handles(h: Harness) -> dict[int, str]:
    async with unit(h.app.db) as store:
        rows = await store.session.exec(select(IdentityRow).where(IdentityRow.platform == "memory"))
        return {row.person_id: row.chat_id for row in rows}


async def test_a_round_is_introduced_when_the_theme_opens(database_url: str) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start()
    try:
        first = buddy_rounds(h.cohort)[0]
        await h.advance(first.starts_at - h.clock.now() + timedelta(minutes=1))
        await h.app.sender.drain()
        handles = await _handles(h)
        async with unit(h.app.db) as store:
            groups = await store.buddy_groups(COHORT, 1)
            people = {p.id: p for p in await store.people_in_cohort(COHORT)}
        assert groups
        for group in groups:
            a, b = group.members
            to_a = [t for t in h.texts(handles[a]) if "lärkompis" in t.lower()]
            assert to_a, f"{people[a].name} got no introduction"
            assert people[b].name in to_a[-1]
            org = h.cohort.organisation(people[b].organisation or "")
            assert org is not None and org.name in to_a[-1]

        # a late joiner becomes the third of a pair: all three hear of each other
        async with unit(h.app.db) as store:
            late = await store.add_person(
                name="Sara Lind",
                cohort_id=COHORT,
                organisation="pitea",
                roles=[Role.PARTICIPANT],
                now=h.clock.now(),
                locale="sv",
            )
            await store.link_identity(late, "memory", "sara.lind", "sara.lind", h.clock.now())
        await h.advance(timedelta(minutes=61))
        await h.app.sender.drain()
        async with unit(h.app.db) as store:
            trio = next(g for g in await store.buddy_groups(COHORT, 1, True) if late in g.members)
        assert len(trio.members) == 3
        to_sara = h.texts("sara.lind")[-1]
        pair = [member for member in trio.members if member != late]
        for member in pair:
            assert people[member].name in to_sara
        # the two already had today's message: the news waits for the next working day
        counts = {member: len(h.texts(handles[member])) for member in pair}
        await h.advance(timedelta(days=3))
        await h.app.sender.drain()
        for member in pair:
            later = h.texts(handles[member])[counts[member] :]
            assert [t for t in later if "Sara Lind" in t], people[member].name
    finally:
        await h.stop()
