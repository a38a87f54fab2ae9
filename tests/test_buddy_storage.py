"""Buddy groups in storage: a round saved, a person's buddies found, a group ended."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.repo import unit
from tests.helpers import Harness

T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


async def test_groups_are_saved_found_and_ended(database_url: str) -> None:
    h = Harness(database_url)
    await h.start()
    try:
        async with unit(h.app.db) as store:
            people = [p.id for p in await store.people_in_cohort("demo")]
            assert len(people) >= 3
            a, b, c = people[:3]
            saved = await store.save_buddy_groups("demo", 1, [[b, a], [c]], T0)
        assert [g.members for g in saved] == [tuple(sorted((a, b))), (c,)]
        async with unit(h.app.db) as store:
            assert await store.current_buddies(a, "demo") == [b]
            assert await store.current_buddies(c, "demo") == []
            assert await store.current_buddies(a, "other") == []
            await store.end_buddy_group(saved[0].id, T0, "swapped")
        async with unit(h.app.db) as store:
            assert await store.current_buddies(a, "demo") == []
            everything = await store.buddy_groups("demo")
            assert [g.open for g in everything] == [False, True]
            assert everything[0].ended_reason == "swapped"
            assert await store.buddy_groups("demo", open_only=True) == [everything[1]]
            assert await store.buddy_groups("demo", round_=2) == []
    finally:
        await h.stop()
