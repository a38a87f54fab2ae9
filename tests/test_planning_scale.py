"""Planning at scale keeps its answers: the cohort's audience read in a few set-based
queries is the same as read person by person; fan-out built once per kind of person gives
every person what the builders give them one by one; a plan moment costs as many SQL
statements for 40 people as for 4; planned messages sharing their content are stored each
with it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.domain.people import Role
from bot.domain.planner import OccasionKind
from bot.features.fanout import Audience
from bot.features.reminders import daily_messages
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow
from tests.helpers import Harness, shipped_catalog

NOW = datetime(2027, 1, 10, 12, tzinfo=UTC)
COHORT = "tf-2027"


async def _add(store, name: str, org: str | None, *roles: Role, timezone: str | None = None) -> int:  # type: ignore[no-untyped-def]
    return await store.add_person(
        name=name,
        cohort_id=COHORT,
        organisation=org,
        roles=frozenset(roles or (Role.PARTICIPANT,)),
        now=NOW,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        locale="nb",
        timezone=timezone,
    )


async def test_the_cohort_read_at_once_is_the_cohort_read_person_by_person(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.sync_cohort(shipped_catalog().cohort("demo"))
        async with unit(h.app.db) as store:
            ada = await _add(store, "Ada Berg", "tromso", timezone="Europe/Helsinki")
            bo = await _add(store, "Bo Lie", "balsfjord", Role.PARTICIPANT, Role.COORDINATOR)
            cy = await _add(store, "Cy Dahl", None, Role.ORGANISER)
            await store.add_person(  # in another cohort only: not a member
                name="Di Moe", cohort_id="demo", organisation=None, roles=[], now=NOW
            )
            await store.update_person(ada, paused_until=NOW + timedelta(days=3))
            await store.choose_lab(ada, "lab-b", NOW)
            await store.choose_lab(ada, "lab-a", NOW + timedelta(minutes=1))
            await store.mark_done(bo, "organisasjon/forarbeid/kartlegging", "test", NOW)
            # Bo is also in the demo cohort, joined later
            await store.add_membership(bo, "demo", None, [Role.COORDINATOR], NOW + timedelta(1))
            # Ada: one account unreachable, one fine; Bo: his only account unreachable;
            # Cy: no account at all (not onboarded, so not counted as unreachable)
            for pid, chat in ((ada, "a1"), (ada, "a2"), (bo, "b1")):
                await store.link_identity(pid, "memory", chat, chat, NOW)
            for chat in ("a1", "b1"):
                found = await store.identity_id("memory", chat)
                assert found is not None
                await store.mark_unreachable(found, "blocked", NOW)
        async with unit(h.app.db) as store:
            everyone = await store.people_in_cohort(COHORT)
            one_by_one = [await store.person(p, COHORT) for p in (ada, bo, cy)]
            assert everyone == one_by_one
            assert everyone[0].labs == ("lab-b", "lab-a")
            assert everyone[1].cohort_ids == (COHORT, "demo")
            assert everyone[1].roles == frozenset({Role.PARTICIPANT, Role.COORDINATOR})
            assert await store.cohort_completions(COHORT) == {
                bo: {"organisasjon/forarbeid/kartlegging"}
            }
            reported = {u.person_id for u in await store.unreachable_people(COHORT)}
            assert await store.unreachable_in_cohort(COHORT) == reported == {bo}
    finally:
        await h.stop()


async def test_fan_out_gives_everyone_what_the_builders_give_them_one_by_one(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start()  # the shipped participants: organisations, groups, roles
    try:
        async with unit(h.app.db) as store:
            people = await store.people_in_cohort(COHORT)
            assert len(people) > 4
            # people alike but for their completions, and one with chosen labs
            await store.mark_done(people[0].id, "organisasjon/forarbeid/kartlegging", "t", NOW)
            for ref in ("organisasjon/forarbeid/gruppeoppgave",):
                await store.mark_done(people[1].id, ref, "t", NOW)  # team work, shared
            await store.choose_lab(people[2].id, "lab-a", NOW)
            audience = await Audience.load(store, h.catalog, COHORT)
        items = h.app.reminders.occasions(COHORT)
        kinds = {o.kind for o in items}
        assert {OccasionKind.STAGE_OPEN, OccasionKind.DUE, OccasionKind.GATHERING_EVE} <= kinds
        fanned = list(audience.fan_out(items))
        one_by_one = [
            (o, p, part)
            for o in items
            for p in audience.people
            if (part := audience.part(o, p, o.day)) is not None
        ]
        assert fanned == one_by_one
    finally:
        await h.stop()


async def test_a_plan_moment_costs_as_many_statements_for_forty_people_as_for_four(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start(participants=False)
    try:
        await h.app.plan()  # the watermark
        counts: list[int] = []
        queued = 0
        for first, size in ((0, 4), (4, 36)):
            async with unit(h.app.db) as store:
                for n in range(first, first + size):
                    pid = await _add(store, f"Leader {n}", "tromso")
                    await store.link_identity(pid, "memory", f"c{n}", f"c{n}", NOW)
            before = queued
            while queued == before:  # on to the next moment that queues something
                moment = h.app.reminders.next_moment(h.clock.now())
                assert moment is not None
                h.clock.set(moment)
                statements: list[str] = []
                count = _counter(statements)
                event.listen(Engine, "before_cursor_execute", count)
                try:
                    await h.app.plan()
                finally:
                    event.remove(Engine, "before_cursor_execute", count)
                async with unit(h.app.db) as store:
                    queued = (await store.outbox_counts()).get("pending", 0)
            assert queued - before == first + size  # everyone's message of the day
            counts.append(len(statements))
    finally:
        await h.stop()
    assert counts[0] == counts[1], counts


def _counter(statements: list[str]) -> Callable[..., None]:
    def count(*args: object) -> None:
        statements.append(str(args[2]))

    return count


async def test_planned_messages_sharing_their_content_are_each_stored_with_it(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort=COHORT)
    await h.start()
    try:
        async with unit(h.app.db) as store:
            audience = await Audience.load(store, h.catalog, COHORT)
        first_day = h.app.reminders.occasions(COHORT)[0].day
        items = [o for o in h.app.reminders.occasions(COHORT) if o.day == first_day]
        batches = daily_messages(audience, items)
        planned = [m for batch in batches.values() for m in batch]
        assert len(planned) > 1 and len({id(m.params) for m in planned}) < len(planned)
        async with unit(h.app.db) as store:
            added = sum([await store.enqueue(b, NOW, not_before=at) for at, b in batches.items()])
            again = sum([await store.enqueue(b, NOW, not_before=at) for at, b in batches.items()])
        assert (added, again) == (len(planned), 0)
        async with unit(h.app.db) as store:
            rows = (await store.session.exec(select(OutboxRow))).all()
        stored = {
            r.key: (r.person_id, json.loads(r.params), r.buttons, r.not_before, r.late)
            for r in rows
        }
        assert stored == {
            m.key: (m.person_id, m.params, "[]", at, False)
            for at, batch in batches.items()
            for m in batch
        }
        assert all(date.fromisoformat(v[1]["day"]) == first_day for v in stored.values())
        # a moment is stored as the ORM stores it (a text on SQLite: the same text, or
        # ordering and comparisons with other moments go wrong)
        async with unit(h.app.db) as store:
            pid = await _add(store, "Moment Check", None)
            conn = await store.session.connection()
            as_text = "CAST({} AS TEXT)" if h.app.db.sqlite else "{}::text"
            queued = await conn.exec_driver_sql(
                f"SELECT {as_text.format('created_at')} FROM outbox LIMIT 1"
            )
            added_at = await conn.exec_driver_sql(
                f"SELECT {as_text.format('created_at')} FROM person WHERE id = {pid}"
            )
            assert queued.scalar_one() == added_at.scalar_one()
    finally:
        await h.stop()
