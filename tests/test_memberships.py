"""People in several cohorts: the migration of existing people into memberships, which cohort
a person is in when none is named, and reports that filter by the cohort at hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text

from bot.domain.people import Membership, Role, current_membership
from bot.storage.db import Database
from bot.storage.repo import unit
from tests.helpers import shipped_catalog

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def seed_at_0003(db: Database) -> None:
    """A database as release 0003 left it: people with one cohort, roles, progress."""
    db.upgrade_sync("0003")
    engine = db.sync_engine()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cohort (id, programme_id, name, timezone, locale, country) VALUES "
                "('demo', 'demo-intro', 'Demo', 'Europe/Oslo', 'nb', 'NO')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO organisation (id, cohort_id, key, name, kind) VALUES "
                "(1, 'demo', 'tromso', 'Tromsø kommune', 'municipality'), "
                "(2, 'demo', 'alta', 'Alta kommune', 'municipality')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, cohort_id, organisation_id, locale, "
                "created_at) VALUES "
                "(1, 'Kari Nordvik', 'kari@example.org', 'demo', 1, 'nb', :t), "
                "(2, 'Siri Haugen', 'siri@example.org', 'demo', 2, 'nn', :t), "
                "(3, 'Emma Hansen', NULL, 'demo', NULL, NULL, :t)"
            ),
            {"t": T0},
        )
        conn.execute(
            text(
                "INSERT INTO person_role (person_id, role) VALUES "
                "(1, 'participant'), (2, 'participant'), (2, 'coordinator'), (3, 'organiser')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO identity (person_id, platform, workspace, external_id, chat_id) "
                "VALUES (1, 'telegram', '', '101', '101'), (2, 'slack', 'T1', 'U2', 'D2')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO completion (person_id, activity_ref, completed_at, source) VALUES "
                "(1, 'demo-intro/kom-i-gang/forarbeid/refleksjon-1', :t, 'reflection')"
            ),
            {"t": T0},
        )
        if conn.dialect.name == "postgresql":  # the rows above were given their ids
            for table in ("organisation", "person"):
                conn.execute(text(f"SELECT setval('{table}_id_seq', 100)"))
    engine.dispose()


def test_existing_people_become_memberships_and_keep_everything(database_url: str) -> None:
    db = Database(database_url)
    seed_at_0003(db)
    db.upgrade_sync("head")

    async def read() -> None:
        try:
            async with unit(db) as store:
                people = {p.name: p for p in await store.people_in_cohort("demo")}
                assert set(people) == {"Kari Nordvik", "Siri Haugen", "Emma Hansen"}
                kari, siri, emma = (
                    people["Kari Nordvik"],
                    people["Siri Haugen"],
                    people["Emma Hansen"],
                )
                assert (kari.organisation, kari.roles, kari.locale) == (
                    "tromso",
                    {Role.PARTICIPANT},
                    "nb",
                )
                assert (siri.organisation, siri.roles) == (
                    "alta",
                    {Role.PARTICIPANT, Role.COORDINATOR},
                )
                assert (emma.organisation, emma.roles) == (None, {Role.ORGANISER})
                assert kari.cohort_ids == ("demo",)
                # Nothing that points at a person was lost when the table was rebuilt.
                assert [i.external_id for i in await store.identities(kari.id)] == ["101"]
                assert [i.external_id for i in await store.identities(siri.id)] == ["U2"]
                assert (await store.completed([kari.id]))[kari.id] == {
                    "demo-intro/kom-i-gang/forarbeid/refleksjon-1"
                }
                # The migrated person can join a second cohort.
                await store.sync_cohort(shipped_catalog().cohort("vb-2027"))
                await store.add_membership(kari.id, "vb-2027", "umea", [Role.COORDINATOR], T1)
            async with unit(db) as store:
                again = await store.person(kari.id)
                assert again is not None and again.cohort_ids == ("demo", "vb-2027")
        finally:
            await db.dispose()

    asyncio.run(read())


def test_downgrade_keeps_each_person_in_the_cohort_joined_last(database_url: str) -> None:
    db = Database(database_url)
    seed_at_0003(db)
    db.upgrade_sync("head")

    async def second_cohort() -> None:
        try:
            async with unit(db) as store:
                await store.sync_cohort(shipped_catalog().cohort("vb-2027"))
                await store.add_membership(1, "vb-2027", "umea", [Role.COORDINATOR], T1)
        finally:
            await db.dispose()

    asyncio.run(second_cohort())
    db.downgrade_sync("0003")
    engine = db.sync_engine()
    with engine.connect() as conn:
        people = conn.execute(text("SELECT id, cohort_id FROM person ORDER BY id")).all()
        roles = conn.execute(
            text("SELECT person_id, role FROM person_role ORDER BY person_id, role")
        ).all()
        identities = conn.execute(text("SELECT count(*) FROM identity")).scalar_one()
    engine.dispose()
    assert [tuple(p) for p in people] == [(1, "vb-2027"), (2, "demo"), (3, "demo")]
    assert [tuple(r) for r in roles] == [
        (1, "coordinator"),
        (2, "coordinator"),
        (2, "participant"),
        (3, "organiser"),
    ]
    assert identities == 2


def membership(cohort: str, joined: datetime, first: str, last: str) -> Membership:
    return Membership(
        cohort,
        None,
        frozenset({Role.PARTICIPANT}),
        joined,
        "Europe/Oslo",
        datetime.fromisoformat(first).date(),
        datetime.fromisoformat(last).date(),
    )


def test_current_cohort_is_the_running_one_else_the_one_joined_last() -> None:
    pulje1 = membership("pulje-1", T0, "2027-01-04", "2027-06-18")
    pulje2 = membership("pulje-2", T1, "2027-08-16", "2028-05-31")
    both = [pulje1, pulje2]
    at = lambda day: datetime.fromisoformat(f"{day}T10:00+01:00")  # noqa: E731
    assert current_membership(both, at("2027-03-01")) == pulje1  # pulje 2 not begun
    assert current_membership(both, at("2027-07-01")) == pulje2  # neither: joined last
    assert current_membership(both, at("2027-09-01")) == pulje2
    assert current_membership(both) == pulje2
    assert current_membership([]) is None
    overlapping = membership("pulje-2", T1, "2027-05-01", "2028-05-31")
    assert current_membership([pulje1, overlapping], at("2027-05-10")) == overlapping
    # The last day counts in the cohort's own timezone: 23:30 UTC is already the next day.
    late = datetime(2027, 6, 18, 22, 30, tzinfo=UTC)
    assert current_membership(both, late) == pulje2
    assert current_membership(both, datetime(2027, 6, 18, 21, 30, tzinfo=UTC)) == pulje1
    same_moment = membership("pulje-3", T1, "2029-01-01", "2029-02-01")
    assert current_membership([pulje2, same_moment]) == same_moment


def test_person_is_seen_in_the_cohort_at_hand(database_url: str) -> None:
    catalog = shipped_catalog()

    async def go() -> None:
        db = Database(database_url)
        await db.upgrade()
        try:
            async with unit(db) as store:
                for cohort in ("demo", "vb-2027"):
                    await store.sync_cohort(catalog.cohort(cohort))
                # vb-2027 runs 2027-01-11 .. 2027-12-17; demo 2027-01-07 .. 2027-03-09.
                pid = await store.add_person(
                    name="Anna Lindqvist",
                    cohort_id="vb-2027",
                    organisation="umea",
                    roles=[Role.COORDINATOR],
                    now=T0,
                    email="anna@example.org",
                )
                await store.add_membership(pid, "demo", "kiruna", [Role.PARTICIPANT], T1)
            async with unit(db) as store:
                in_vb = await store.person(pid, cohort_id="vb-2027")
                in_demo = await store.person(pid, cohort_id="demo")
                assert in_vb is not None and in_demo is not None
                assert (in_vb.organisation, in_vb.roles) == ("umea", {Role.COORDINATOR})
                assert (in_demo.organisation, in_demo.roles) == ("kiruna", {Role.PARTICIPANT})
                june = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
                february = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
                assert (await store.person(pid, at=june)) == in_vb  # demo is over
                assert (await store.person(pid, at=february)) == in_demo  # both: joined last
                assert (await store.person(pid)) == in_demo
                assert await store.person(pid, cohort_id="tf-2027") is None
                assert (await store.person_by_email("ANNA@example.org", "vb-2027")) == in_vb
                assert [p.id for p in await store.people_in_cohort("vb-2027")] == [pid]

                await store.link_identity(pid, "telegram", "7", "7", T1)
                (identity,) = await store.identities(pid)
                await store.mark_unreachable(identity.id, "blocked", T1)
                (gone,) = await store.unreachable_people("vb-2027")
                assert gone.organisation == "umea"
                assert await store.unreachable_people("vb-2027", organisation="kiruna") == []
                (gone_demo,) = await store.unreachable_people("demo", organisation="kiruna")
                assert gone_demo.person_id == pid
                await store.sync_cohort(catalog.cohort("tf-2027"))
                assert await store.unreachable_people("tf-2027") == []
        finally:
            await db.dispose()

    asyncio.run(go())
