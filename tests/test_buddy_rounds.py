"""Buddy rounds made by the planner on the fake clock, on both databases: a round per theme
on its opening day, made once however often (and by however many) it is planned; late
joiners placed without breaking pairs; a person whose buddy left re-paired; a new theme
brings new buddies, never one met before."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import combinations

from sqlalchemy import text

from bot.domain.buddy_rounds import buddy_rounds
from bot.domain.people import Role
from bot.features.buddy_rounds import BuddyRounds, RoundChange, make_round, top_up_round
from bot.storage.db import Database
from bot.storage.repo import unit
from tests.helpers import Harness

COHORT = "vb-2027"


async def _groups(h: Harness, round_: int, open_only: bool = True) -> list[tuple[int, ...]]:
    async with unit(h.app.db) as store:
        return [g.members for g in await store.buddy_groups(COHORT, round_, open_only)]


async def _orgs(h: Harness) -> dict[int, str | None]:
    async with unit(h.app.db) as store:
        return {p.id: p.organisation for p in await store.people_in_cohort(COHORT)}


async def test_rounds_are_made_on_their_dates_once_and_topped_up(database_url: str) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start()
    try:
        changes: list[RoundChange] = []

        async def listen(store: object, change: RoundChange, now: object) -> None:
            changes.append(change)

        h.app.buddy_rounds.listeners.append(listen)
        first, second = buddy_rounds(h.cohort)[:2]
        assert await _groups(h, 1) == []  # nothing before the theme opens
        await h.advance(first.starts_at - h.clock.now() - timedelta(minutes=1))
        assert await _groups(h, 1) == []
        await h.advance(timedelta(minutes=2))
        groups = await _groups(h, 1)
        orgs = await _orgs(h)
        assert len(groups) == 9 and all(len(g) == 2 for g in groups)  # 18 participants
        assert all(orgs[a] != orgs[b] for a, b in groups)
        assert [len(c.created) for c in changes] == [9]  # the hook saw the new groups

        # planned again, and by a second process: the round is not made twice
        await h.app.plan()
        async with unit(h.app.db) as store:
            assert await BuddyRounds(h.catalog).plan(store, h.clock.now()) == []
            assert await make_round(store, h.cohort, first, h.clock.now()) is None
        assert await _groups(h, 1) == groups

        # a late joiner from Piteå: joins a pair as the third, the pairs stay
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
        after = await _groups(h, 1)
        trio = next(g for g in after if late in g)
        assert len(trio) == 3 and tuple(m for m in trio if m != late) in groups
        assert len({orgs.get(m, "pitea") for m in trio}) == 3
        assert changes[-1].joined and changes[-1].joined[0][1] == late

        # someone leaves the cohort: their buddy is re-paired, every other group stays
        leaver_group = next(g for g in after if len(g) == 2)
        leaver, alone = leaver_group
        async with unit(h.app.db) as store:
            await store.session.exec(  # type: ignore[call-overload]
                text("DELETE FROM membership WHERE person_id = :p"), params={"p": leaver}
            )
        await h.advance(timedelta(minutes=61))
        now_groups = await _groups(h, 1)
        assert leaver_group not in now_groups
        for group in after:  # every other group is still together (one may have a third now)
            assert group == leaver_group or any(set(group) <= set(g) for g in now_groups)
        assert any(alone in g for g in now_groups)  # a new buddy (or two)
        ended = [g for g in await _groups(h, 1, open_only=False) if g not in now_groups]
        assert leaver_group in ended

        # the next theme: a new round, nobody with someone they had before
        before = {frozenset(p) for g in await _groups(h, 1, False) for p in combinations(g, 2)}
        await h.advance(second.starts_at - h.clock.now() + timedelta(minutes=1))
        round_two = await _groups(h, 2)
        assert len(round_two) >= 8
        assert not any(frozenset(p) in before for g in round_two for p in combinations(g, 2))
        assert all(leaver not in g for g in round_two)
    finally:
        await h.stop()


async def test_a_cohort_without_a_buddies_block_gets_no_rounds(database_url: str) -> None:
    h = Harness(database_url, cohort="demo")
    await h.start()
    try:
        await h.advance(timedelta(days=3))
        async with unit(h.app.db) as store:
            assert await store.buddy_groups("demo") == []
            assert await store.buddy_rounds_made("demo") == {}
    finally:
        await h.stop()


async def test_two_processes_pairing_at_once_make_the_round_once(database_url: str) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start()
    other = Database(database_url)  # a second process's connections
    try:
        first = buddy_rounds(h.cohort)[0]
        now = first.starts_at

        async def make(db: Database) -> RoundChange | None:
            async with unit(db) as store:
                return await make_round(store, h.cohort, first, now)

        results = await asyncio.gather(make(h.app.db), make(other))
        assert sorted(r is None for r in results) == [False, True]
        assert len(await _groups(h, 1)) == 9
    finally:
        await other.dispose()
        await h.stop()


async def test_a_forgotten_persons_buddy_is_re_paired(database_url: str) -> None:
    """Erasure deletes the person (their member rows go with them): the next top-up ends
    the group they leave half-empty and gives their buddy a new one."""
    h = Harness(database_url, cohort=COHORT)
    await h.start()
    try:
        first = buddy_rounds(h.cohort)[0]
        now = first.starts_at
        async with unit(h.app.db) as store:
            made = await make_round(store, h.cohort, first, now)
        assert made is not None
        gone, alone = made.created[0].members
        async with unit(h.app.db) as store:
            await store.session.exec(  # type: ignore[call-overload]
                text("DELETE FROM person WHERE id = :p"), params={"p": gone}
            )
        async with unit(h.app.db) as store:
            change = await top_up_round(store, h.cohort, first, now + timedelta(hours=1))
            groups = await store.buddy_groups(COHORT, 1)
        assert [g.id for g in change.ended] == [made.created[0].id]
        ended = next(g for g in groups if g.id == made.created[0].id)
        assert ended.ended_reason == "left" and ended.members == (alone,)
        assert [p for _, p in change.joined] == [alone] or any(
            alone in g.members for g in change.created
        )
        others = [g.members for g in made.created[1:]]
        assert all(any(set(m) <= set(g.members) for g in groups if g.open) for m in others)
    finally:
        await h.stop()
