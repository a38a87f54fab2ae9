"""People left out of a buddy round are told why when they return: paused for the whole
round, unreachable, taken out by an organiser, or no possible buddy (told at once); once
each, however many planner passes and processes there are. Through the real composition."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlmodel import col, select

from bot.app import Kompis
from bot.domain.people import Person, Role
from bot.features import buddy_admin
from bot.settings import Settings
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from bot.storage.tables_left_out import BuddyLeftOutRow
from bot.transports.memory import MemoryTransport
from tests.helpers import Harness

VB = "vb-2027"
# round 1 (the theme "darfor") runs to 19 March; round 2 is made on 30 March
START = date(2027, 3, 15)


def harness(database_url: str) -> Harness:
    shipped = Harness(database_url, cohort=VB)  # only for the cohort's timezone
    return Harness(database_url, cohort=VB, start=shipped.cohort.local(START, time(6, 0)))


async def people(h: Harness) -> dict[str, Person]:
    async with unit(h.app.db) as store:
        return {p.email.split("@")[0]: p for p in await store.people_in_cohort(VB)}


async def notices(h: Harness, person_id: int) -> list[str]:
    async with unit(h.app.db) as store:
        rows = await store.session.exec(
            select(OutboxRow).where(
                OutboxRow.person_id == person_id, col(OutboxRow.key).startswith("buddy_left_out:")
            )
        )
        return [row.key for row in rows]


async def left_out_rows(h: Harness) -> list[tuple[int, int, str, bool]]:
    async with unit(h.app.db) as store:
        rows = await store.session.exec(select(BuddyLeftOutRow).order_by(col(BuddyLeftOutRow.id)))
        return [(r.round, r.person_id, r.reason, r.told_at is not None) for r in rows]


def module_title(h: Harness, module: str) -> str:
    found = h.catalog.programme_of(VB).module(module)
    assert found is not None
    return found.title["sv"]


async def test_paused_for_the_whole_round_is_told_once_after_it(database_url: str) -> None:
    h = harness(database_url)
    await h.start()
    try:
        who = (await people(h))["erik.nystrom"]
        async with unit(h.app.db) as store:
            until = h.cohort.local(date(2027, 3, 24), time(0, 0))
            await store.update_person(who.id, paused_until=until)
        await h.advance(timedelta(minutes=1))  # the round is made without Erik
        assert await left_out_rows(h) == [(1, who.id, "paused", False)]
        await h.advance(timedelta(days=4))  # still paused: nothing yet
        assert await notices(h, who.id) == []
        await h.advance(timedelta(days=6))  # 25 March: the pause is over
        await h.app.sender.drain()
        assert await notices(h, who.id) == [f"buddy_left_out:{VB}:1:{who.id}"]
        told = [t for t in h.texts("erik.nystrom") if "ingen lärkompis" in t]
        assert len(told) == 1
        assert (
            f"Du hade ingen lärkompis i {module_title(h, 'darfor')}, eftersom du hade pausat "
            "Kompis under hela omgången."
        ) in told[0]
        assert "Du får en ny lärkompis när nästa omgång börjar, tisdag 30 mars 2027." in told[0]
        assert await left_out_rows(h) == [(1, who.id, "paused", True)]
        # two more passes here, and a second process on the same database: nothing twice
        await h.advance(timedelta(hours=2))
        transports = {"memory": MemoryTransport(platform="memory")}
        settings = Settings(database_url=database_url)
        other = Kompis(settings, h.clock, transports, h.catalog, worker="worker-2")
        await other.start(lock=False)
        try:
            assert await other.plan()
            await other.sender.drain()
        finally:
            await other.stop()
        await h.advance(timedelta(hours=2))
        await h.app.sender.drain()
        assert await notices(h, who.id) == [f"buddy_left_out:{VB}:1:{who.id}"]
        assert len([t for t in h.texts("erik.nystrom") if "ingen lärkompis" in t]) == 1
    finally:
        await h.stop()


async def test_unreachable_is_told_only_once_reachable_again(database_url: str) -> None:
    h = harness(database_url)
    await h.start()
    try:
        who = (await people(h))["maria.holmgren"]
        async with unit(h.app.db) as store:
            for identity in await store.identities(who.id):
                await store.mark_unreachable(identity.id, "blocked the bot", h.clock.now())
        await h.advance(timedelta(minutes=1))
        assert await left_out_rows(h) == [(1, who.id, "unreachable", False)]
        await h.advance(timedelta(hours=3))
        assert await notices(h, who.id) == []
        await h.say("maria.holmgren", "status")  # she is back: Kompis reaches her again
        await h.advance(timedelta(minutes=61))
        await h.app.sender.drain()
        assert await notices(h, who.id) == [f"buddy_left_out:{VB}:1:{who.id}"]
        async with unit(h.app.db) as store:
            group = await store.buddy_group_of(who.id, VB)
        assert group is not None and group.round == 1  # placed first, then told
        told = [t for t in h.texts("maria.holmgren") if "ingen lärkompis" in t]
        assert len(told) == 1
        assert "eftersom jag inte nådde dig i någon app när lärkompisarna parades ihop" in told[0]
        assert "Du har en lärkompis nu." in told[0]
    finally:
        await h.stop()


async def test_no_match_is_told_at_once_and_an_included_person_on_return(
    database_url: str,
) -> None:
    h = harness(database_url)
    await h.start()
    try:
        everyone = await people(h)
        umea = [everyone["erik.nystrom"], everyone["maria.holmgren"]]
        karin = everyone["karin.marklund"]
        async with unit(h.app.db) as store:  # only two of Umeå left: no possible buddy
            for person in everyone.values():
                if person not in umea and person.has(Role.PARTICIPANT):
                    await store.set_buddy_opt_out(
                        VB, person.id, True, h.clock.now(), reason="unpaired"
                    )
        await h.advance(timedelta(minutes=1))
        await h.app.sender.drain()
        for person in umea:
            assert await notices(h, person.id) == [f"buddy_left_out:{VB}:1:{person.id}"]
            handle = person.email.split("@")[0]
            (told,) = [t for t in h.texts(handle) if "ingen lärkompis" in t]
            assert (
                f"Du fick ingen lärkompis i {module_title(h, 'darfor')}: alla som kunde vara din "
                "lärkompis är från din organisation eller har varit din lärkompis förut."
            ) in told
            assert "Jag fortsätter att försöka" in told
        assert await notices(h, karin.id) == []  # still out: nothing to tell
        async with unit(h.app.db) as store:  # the organiser lets Karin back in
            change = await buddy_admin.include(store, h.cohort, karin.email, h.clock.now())
            await h.app.buddy_rounds.notify(store, change, h.clock.now())
        await h.advance(timedelta(minutes=61))
        assert await notices(h, karin.id) == [f"buddy_left_out:{VB}:1:{karin.id}"]
        # her introduction went out today: the notice rides in the next day's message
        await h.advance(timedelta(days=1, hours=4))
        await h.app.sender.drain()
        (told,) = [t for t in h.texts("karin.marklund") if "ingen lärkompis" in t]
        assert "eftersom en arrangör hade tagit bort dig från parningen. Nu är du med igen." in told
        assert "Du har en lärkompis nu." in told
        for person in umea:  # told once, however the round changes
            assert len(await notices(h, person.id)) == 1
    finally:
        await h.stop()


async def test_a_buddy_left_alone_with_no_match_is_told_once_not_twice(
    database_url: str,
) -> None:
    h = harness(database_url)
    await h.start()
    try:
        everyone = await people(h)
        erik, karin = everyone["erik.nystrom"], everyone["karin.marklund"]
        async with unit(h.app.db) as store:  # only Erik and Karin take part
            for person in everyone.values():
                if person.id not in (erik.id, karin.id) and person.has(Role.PARTICIPANT):
                    await store.set_buddy_opt_out(
                        VB, person.id, True, h.clock.now(), reason="unpaired"
                    )
        await h.advance(timedelta(minutes=1))
        async with unit(h.app.db) as store:
            pair = await store.buddy_group_of(erik.id, VB)
        assert pair is not None and set(pair.members) == {erik.id, karin.id}
        await h.say("karin.marklund", "kompis av")
        await h.say("karin.marklund", action="buddy_off_yes")
        await h.app.sender.drain()
        alone = "Just nu finns det ingen jag kan para ihop dig med"
        assert len([t for t in h.texts("erik.nystrom") if alone in t]) == 1
        await h.advance(timedelta(hours=3))  # the planner's passes do not tell him again
        await h.app.sender.drain()
        assert await notices(h, erik.id) == []
        assert len([t for t in h.texts("erik.nystrom") if "lärkompis" in t and alone in t]) == 1
        assert (1, erik.id, "no_match", True) in await left_out_rows(h)
    finally:
        await h.stop()
