"""The planner keeps a cohort's audience between plan moments and reads it again only when
something it reads of the cohort's people changed: a change written by another Kompis
instance on the same database (its own engine, so nothing in this process is told) between
two plan moments is in the next plan, and with nothing changed the audience is not read
again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.domain.people import Role
from bot.features.fanout import Audience
from bot.storage.db import Database
from bot.storage.repo import Store, unit
from bot.storage.tables import MembershipRoleRow, MembershipRow, OrganisationRow, OutboxRow
from tests.helpers import Harness, shipped_catalog

COHORT = "tf-2027"
NOW = datetime(2027, 1, 10, 12, tzinfo=UTC)
DONE = "organisasjon/forarbeid/kartlegging"


async def _add(store: Store, name: str, org: str | None = "tromso") -> int:
    return await store.add_person(
        name=name,
        cohort_id=COHORT,
        organisation=org,
        roles=frozenset({Role.PARTICIPANT}),
        now=NOW,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        locale="nb",
    )


def _seen(audience: Audience) -> tuple[object, ...]:
    """Everything of an audience the builders read (not its lazily built index)."""
    return (
        audience.people,
        audience.groups,
        audience.done,
        audience.unreachable,
        audience.by,
    )


async def _planned_to(h: Harness, person_id: int) -> int:
    async with unit(h.app.db) as store:
        rows = await store.session.exec(
            select(OutboxRow.id).where(col(OutboxRow.person_id) == person_id)
        )
        return len(rows.all())


async def _next_plan_moment(h: Harness, queues_for: int | None = None) -> None:
    """Move to the next plan moment and plan; with ``queues_for``, on to the first moment
    that queues a message to that person."""
    before = await _planned_to(h, queues_for) if queues_for else 0
    for _ in range(20):
        moment = h.app.reminders.next_moment(h.clock.now())
        assert moment is not None
        h.clock.set(moment)
        assert await h.app.plan()
        if queues_for is None or await _planned_to(h, queues_for) > before:
            return
    raise AssertionError("no moment queued anything")


async def _started(database_url: str) -> tuple[Harness, dict[str, int]]:
    h = Harness(database_url, cohort=COHORT)
    await h.start(participants=False)
    async with unit(h.app.db) as store:
        ids = {name: await _add(store, name) for name in ("Ada Berg", "Bo Lie")}
        await store.link_identity(ids["Ada Berg"], "memory", "ada", "ada", NOW)
    assert await h.app.plan()  # the first plan: the watermark is set
    await _next_plan_moment(h)  # a plan moment: the audience is read and kept
    return h, ids


async def _elsewhere(database_url: str, write: Callable[[Store], Awaitable[object]]) -> None:
    """``write`` made by another instance: an engine of its own on the same database."""
    other = Database(database_url)
    try:
        async with unit(other) as store:
            await write(store)
    finally:
        await other.dispose()


async def _kept_is_fresh(h: Harness) -> None:
    async with unit(h.app.db) as store:
        kept = await h.app.reminders.audience(store, COHORT)
        fresh = await Audience.load(store, h.catalog, COHORT)
    assert _seen(kept) == _seen(fresh)


async def test_an_unchanged_cohort_is_not_read_again(database_url: str) -> None:
    h, _ = await _started(database_url)
    try:
        async with unit(h.app.db) as store:
            first = await h.app.reminders.audience(store, COHORT)
        await _next_plan_moment(h)
        async with unit(h.app.db) as store:
            assert await h.app.reminders.audience(store, COHORT) is first
    finally:
        await h.stop()


async def test_a_message_from_a_person_does_not_make_the_planner_read_again(
    database_url: str,
) -> None:
    """An identity's last seen moves at every message; the planner does not read it."""
    h, _ = await _started(database_url)
    try:
        async with unit(h.app.db) as store:
            first = await h.app.reminders.audience(store, COHORT)

        async def touch(store: Store) -> None:
            await store.touch_identity("memory", "ada", "", "ada", NOW + timedelta(hours=1))

        await _elsewhere(database_url, touch)
        async with unit(h.app.db) as store:
            assert await h.app.reminders.audience(store, COHORT) is first
    finally:
        await h.stop()


async def test_a_person_added_elsewhere_is_in_the_next_plan(database_url: str) -> None:
    h, ids = await _started(database_url)
    try:
        new: list[int] = []

        async def add(store: Store) -> None:
            new.append(await _add(store, "Cy Dahl"))

        await _elsewhere(database_url, add)
        ada = await _planned_to(h, ids["Ada Berg"])
        await _next_plan_moment(h, queues_for=ids["Ada Berg"])
        # the newcomer is planned what Ada is planned from now on
        assert await _planned_to(h, new[0]) == await _planned_to(h, ids["Ada Berg"]) - ada > 0
        await _kept_is_fresh(h)
    finally:
        await h.stop()


async def test_a_person_erased_elsewhere_is_not_in_the_next_plan(database_url: str) -> None:
    h, ids = await _started(database_url)
    try:
        bo = ids["Bo Lie"]
        await _elsewhere(database_url, lambda store: store.forget_person(bo))
        await _next_plan_moment(h)
        async with unit(h.app.db) as store:
            kept = await h.app.reminders.audience(store, COHORT)
        assert bo not in {p.id for p in kept.people}
        await _kept_is_fresh(h)
    finally:
        await h.stop()


async def _org_group(store: Store) -> None:
    org = (
        await store.session.exec(
            select(OrganisationRow).where(
                OrganisationRow.key == "tromso", OrganisationRow.cohort_id == COHORT
            )
        )
    ).one()
    org.group_key = "elsewhere"
    store.session.add(org)


async def _mark_unreachable(store: Store) -> None:
    found = await store.identity_id("memory", "ada")
    assert found is not None
    await store.mark_unreachable(found, "blocked", NOW)


async def _add_role(store: Store, person_id: int) -> None:
    membership = (
        await store.session.exec(
            select(MembershipRow).where(
                MembershipRow.person_id == person_id, MembershipRow.cohort_id == COHORT
            )
        )
    ).one()
    assert membership.id is not None
    store.session.add(MembershipRoleRow(membership_id=membership.id, role=Role.COORDINATOR.value))


CHANGES: dict[str, Callable[[Store, dict[str, int]], Awaitable[object]]] = {
    "a pause": lambda s, ids: s.update_person(ids["Ada Berg"], paused_until=NOW + timedelta(9)),
    "a snooze": lambda s, ids: s.update_person(ids["Bo Lie"], snoozed_until=NOW + timedelta(1)),
    "a timezone": lambda s, ids: s.update_person(ids["Bo Lie"], timezone="Asia/Tokyo"),
    "a completion": lambda s, ids: s.mark_done(ids["Ada Berg"], DONE, "test", NOW),
    "a lab chosen": lambda s, ids: s.choose_lab(ids["Bo Lie"], "lab-a", NOW),
    "another cohort joined": lambda s, ids: s.add_membership(
        ids["Bo Lie"], "demo", None, [Role.COORDINATOR], NOW
    ),
    "a role added": lambda s, ids: _add_role(s, ids["Bo Lie"]),
    "an account unreachable": lambda s, ids: _mark_unreachable(s),
    "an organisation's group": lambda s, ids: _org_group(s),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_change_made_elsewhere_is_in_the_next_plan(database_url: str, change: str) -> None:
    h, ids = await _started(database_url)
    try:
        async with unit(h.app.db) as store:
            await store.sync_cohort(shipped_catalog().cohort("demo"))  # another cohort to join
            before = _seen(await h.app.reminders.audience(store, COHORT))
        await _elsewhere(database_url, lambda store: CHANGES[change](store, ids))
        await _next_plan_moment(h)
        async with unit(h.app.db) as store:
            kept = await h.app.reminders.audience(store, COHORT)
        assert _seen(kept) != before
        await _kept_is_fresh(h)
    finally:
        await h.stop()


async def test_every_cohorts_version_read_at_once_is_each_read_alone(database_url: str) -> None:
    h, ids = await _started(database_url)
    try:
        async with unit(h.app.db) as store:
            await store.sync_cohort(shipped_catalog().cohort("demo"))
            await store.add_membership(ids["Bo Lie"], "demo", None, [Role.COORDINATOR], NOW)
            await store.mark_done(ids["Bo Lie"], DONE, "test", NOW)
        async with unit(h.app.db) as store:
            at_once = await store.audience_versions()
            alone = {c: await store.audience_version(c) for c in (COHORT, "demo")}
        assert at_once == alone
        assert alone[COHORT][1:] != alone["demo"][1:]  # two members here, one there
    finally:
        await h.stop()
