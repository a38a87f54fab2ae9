"""Forgetting a person who has a learning buddy: the group ends and the buddy is told, kindly
and without the erased name, whether the person wrote ``forget`` or an organiser ran
``kompis privacy forget``."""

from __future__ import annotations

from bot.features.buddy_intro import introduce
from bot.privacy import forget
from bot.settings import Settings
from bot.storage.repo import unit
from tests.helpers import Harness

KARI, ANNA = "kari.nordvik", "anna.lindqvist"


async def _pair(h: Harness) -> tuple[int, int]:
    kari, anna = await h.person_id(KARI), await h.person_id(ANNA)
    async with unit(h.app.db) as store:
        (group,) = await store.save_buddy_groups("demo", 1, [[kari, anna]], h.clock.now())
        await introduce(store, h.catalog, [group], h.clock.now())
    await h.app.sender.drain()
    return kari, anna


async def test_forget_in_chat_tells_the_buddy(harness: Harness) -> None:
    kari, _anna = await _pair(harness)
    await harness.say(ANNA, "forget")
    await harness.say(ANNA, action="forget_yes")
    await harness.app.sender.drain()
    told = harness.last(KARI)
    assert "Læringsvennen din har sluttet i programmet" in told
    assert "Anna" not in told
    async with unit(harness.app.db) as store:
        assert await store.current_buddies(kari, "demo") == []
    await harness.say(KARI, "kompis Er du der?")
    assert "Du har ingen læringsvenn nå" in harness.last(KARI)


async def test_kompis_privacy_forget_tells_the_buddy(harness: Harness, database_url: str) -> None:
    kari, anna = await _pair(harness)
    async with unit(harness.app.db) as store:
        person = await store.person(anna)
    assert person is not None and person.email
    counts = await forget(Settings(database_url=database_url), person.email, clock=harness.clock)
    assert counts.get("person") == 1
    await harness.app.sender.drain()
    assert "Læringsvennen din har sluttet i programmet" in harness.last(KARI)
    async with unit(harness.app.db) as store:
        assert await store.current_buddies(kari, "demo") == []
