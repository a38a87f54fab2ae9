"""One bad row, one strange person, one missing platform, one outage: each is settled on
its own and the rest of delivery goes on. Counted from what the transports received."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import delete
from sqlmodel import col

from bot.delivery.sender import RetryPolicy, Sender
from bot.domain.messages import Address, Outgoing, Rendered
from bot.domain.people import Role
from bot.storage.repo import unit
from bot.storage.tables import CohortRow, IdentityRow
from bot.transports.base import Limits, TransportError
from bot.transports.memory import MemoryTransport
from tests.delivery_helpers import (
    Crash,
    TimedTransport,
    broadcast,
    drain_until_settled,
    restart_after_crash,
    rows,
    sent_keys,
    use_sender,
)
from tests.helpers import Harness

TELEGRAM_LIKE = Limits(per_second=30, chat_per_second=1)


async def enqueue(h: Harness, items: list[Outgoing]) -> None:
    async with unit(h.app.db) as store:
        await store.enqueue(items, h.clock.now())


async def test_a_row_that_does_not_render_is_settled_alone(harness: Harness) -> None:
    fake, transport = use_sender(harness, retry=RetryPolicy(max_errors=3))
    bad = Outgoing(
        None, "done_ok", {}, key="bad", address=Address("memory", "x"), locale="nb"
    )  # no title: the template cannot render
    await enqueue(harness, [bad, *broadcast(150)])
    await harness.app.sender.drain()
    assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(150))
    await drain_until_settled(harness, fake)
    [row] = [r for r in await rows(harness) if r.key == "bad"]
    assert (row.status, row.attempts) == ("dead", 3)
    assert "UndefinedError" in (row.last_error or "") and "title" in (row.last_error or "")


async def test_a_person_whose_cohort_left_the_catalog_does_not_stop_delivery(
    harness: Harness,
) -> None:
    _, transport = use_sender(harness)
    async with unit(harness.app.db) as store:
        store.session.add(
            CohortRow(
                id="gone", programme_id="x", name="Gone", timezone="UTC", locale="sv", country="SE"
            )
        )
        await store.session.flush()
        person = await store.add_person(
            name="Nora Test",
            cohort_id="gone",
            organisation=None,
            roles=[Role.PARTICIPANT],
            now=harness.clock.now(),
        )
        await store.link_identity(person, "memory", "nora", "nora", harness.clock.now())
    await enqueue(
        harness,
        [Outgoing(person, "done_ok", {"title": "n1"}, key="n1"), *broadcast(5)],
    )
    assert await harness.app.sender.drain() == 6
    assert sorted(sent_keys(transport)) == sorted(["n1", *(f"b{i}" for i in range(5))])
    assert "is marked as done" in transport.texts("nora")[0]  # English, the last resort


async def test_a_reply_goes_out_ahead_of_a_broadcast(harness: Harness) -> None:
    _, transport = use_sender(harness)
    kari = await harness.person_id("kari.nordvik")
    await enqueue(harness, broadcast(900))
    await enqueue(harness, [Outgoing(kari, "done_ok", {"title": "reply"}, key="r")])
    # ... and one that arrives while the broadcast is going out.
    original = transport.send

    async def reply_arrives_mid_broadcast(address: Address, message: Rendered) -> str:
        if transport.attempts == 300:
            await enqueue(harness, [Outgoing(kari, "done_ok", {"title": "late"}, key="l")])
        return await original(address, message)

    transport.send = reply_arrives_mid_broadcast  # type: ignore[method-assign]
    await harness.app.sender.drain(limit=50)
    keys = sent_keys(transport)
    print(f"\nreplies went out as send {keys.index('reply') + 1} and {keys.index('late') + 1}")
    assert keys.index("reply") == 0
    assert 300 < keys.index("late") <= 300 + 50  # in the very next batch
    assert len(keys) == 902


async def test_rows_for_a_platform_a_worker_lacks_wait_for_one_that_has_it(
    harness: Harness,
) -> None:
    kari = await harness.person_id("kari.nordvik")
    async with unit(harness.app.db) as store:
        await store.link_identity(kari, "slack", "U1", "D1", harness.clock.now(), "T1")
        await store.session.exec(  # Kari is on Slack only
            delete(IdentityRow).where(
                col(IdentityRow.platform) == "memory", col(IdentityRow.person_id) == kari
            )
        )
    await enqueue(
        harness,
        [
            Outgoing(kari, "done_ok", {"title": "k"}, key="k"),
            Outgoing(
                None,
                "done_ok",
                {"title": "s"},
                key="s",
                address=Address("slack", "C9", "T1"),
                locale="nb",
            ),
        ],
    )
    memory_only = harness.app.sender
    assert await memory_only.drain() == 0  # not this worker's: left alone, not skipped
    assert {r.status for r in await rows(harness)} == {"pending"}
    slack = MemoryTransport(platform="slack")
    app = harness.app
    slack_worker = Sender(app.db, app.catalog, app.renderer, harness.clock, {"slack": slack}, "s")
    assert await slack_worker.drain() == 2
    assert sorted(sent_keys(slack)) == ["k", "s"]


async def test_blocked_on_one_platform_it_goes_out_on_the_other(harness: Harness) -> None:
    kari = await harness.person_id("kari.nordvik")
    async with unit(harness.app.db) as store:
        await store.link_identity(kari, "slack", "U1", "D1", harness.clock.now(), "T1")
    harness.transport.blocked.add("kari.nordvik")
    await enqueue(harness, [Outgoing(kari, "done_ok", {"title": "k"}, key="k")])
    await harness.app.sender.drain()  # memory: blocked; the row goes back for Slack
    slack = MemoryTransport(platform="slack")
    app = harness.app
    slack_worker = Sender(app.db, app.catalog, app.renderer, harness.clock, {"slack": slack}, "s")
    assert await slack_worker.drain() == 1
    assert sent_keys(slack) == ["k"]
    [row] = await rows(harness)
    assert (row.status, row.attempts, row.platform) == ("sent", 2, "slack")  # where it went


@pytest.mark.parametrize("outage", [300, 600])
async def test_an_outage_kills_no_message(harness: Harness, outage: int) -> None:
    fake, transport = use_sender(harness, TELEGRAM_LIKE)
    down_until = fake.now + outage
    original = TimedTransport.send

    async def down_for_a_while(address: Address, message: Rendered) -> str:
        if fake.now < down_until:
            transport.attempt_times.append((fake.now, address.chat_id))
            transport.attempts += 1
            raise TransportError("502 Bad Gateway", retryable=True)
        return await original(transport, address, message)

    transport.send = down_for_a_while  # type: ignore[method-assign]
    await enqueue(harness, broadcast(300))
    await drain_until_settled(harness, fake, rounds=2000)
    failed = sum(1 for t, _ in transport.attempt_times if t < down_until)
    print(f"\n{outage} s outage, 300 messages: {failed} failed attempts during it")
    assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(300))
    assert {r.status for r in await rows(harness)} == {"sent"}
    assert failed < 40  # the platform is probed, not hammered by every row


async def test_a_busy_group_chat_waits_for_its_budget_within_one_drain(harness: Harness) -> None:
    fake, _ = use_sender(harness)
    group = Limits(per_second=30, chat_per_second=1, group_per_minute=20)
    telegram = TimedTransport(platform="telegram", limits=group, time=fake)
    app = harness.app
    sender = Sender(
        app.db,
        app.catalog,
        app.renderer,
        harness.clock,
        {"telegram": telegram},
        monotonic=fake.monotonic,
        sleep=fake.sleep,
    )
    await enqueue(
        harness,
        [
            Outgoing(
                None,
                "done_ok",
                {"title": f"g{i}"},
                key=f"g{i}",
                kind="broadcast",
                address=Address("telegram", "-1001"),
                locale="nb",
            )
            for i in range(20)
        ],
    )
    started = fake.now
    assert await sender.drain() == 20  # one drain, no waiting for the next tick
    elapsed = fake.now - started
    print(f"\n20 messages to one group chat in {elapsed:.0f} s (budget 20 a minute)")
    assert 56 <= elapsed <= 58


async def test_a_crash_between_parts_does_not_resend_the_first(harness: Harness) -> None:
    fake, transport = use_sender(harness)
    transport.max_text = 40
    words = " ".join(f"ord{i:02d}" for i in range(18))
    await enqueue(
        harness,
        [
            Outgoing(
                None,
                "unknown_command",
                {"word": words},
                key="long",
                address=Address("memory", "chat-long"),
                locale="nb",
            )
        ],
    )
    original = transport.send
    calls = 0

    async def dies_at_part_two(address: Address, message: Rendered) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Crash
        return await original(address, message)

    transport.send = dies_at_part_two  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await harness.app.sender.drain()
    await restart_after_crash(harness)
    await drain_until_settled(harness, fake)
    parts = transport.texts("chat-long")
    assert "".join(parts).replace(" ", "").count("ord00") == 1, parts
    [row] = await rows(harness)
    assert (row.status, row.crashes) == ("sent", 1)


async def test_a_row_that_crashes_its_worker_goes_dead_after_three(harness: Harness) -> None:
    fake, transport = use_sender(harness)
    poison = Outgoing(
        None,
        "done_ok",
        {"title": "poison"},
        key="p",
        address=Address("memory", "p"),
        locale="nb",
        kind="reply",
    )
    await enqueue(harness, [poison, *broadcast(5)])
    original = transport.send

    async def dies_on_poison(address: Address, message: Rendered) -> str:
        if "poison" in message.text:
            raise Crash
        return await original(address, message)

    transport.send = dies_on_poison  # type: ignore[method-assign]
    for _ in range(3):
        with pytest.raises(Crash):
            await harness.app.sender.drain()
        await restart_after_crash(harness)
    await drain_until_settled(harness, fake)
    by_key = {r.key: r for r in await rows(harness)}
    assert (by_key["p"].status, by_key["p"].crashes) == ("dead", 3)
    assert "stopped while sending it 3 times" in (by_key["p"].last_error or "")
    assert sorted(sent_keys(transport)) == [f"b{i}" for i in range(5)]


async def test_long_keys_are_hashed_not_cut(harness: Harness) -> None:
    _, transport = use_sender(harness)
    stem = "x" * 300
    items = [
        Outgoing(
            None,
            "done_ok",
            {"title": f"t{i}"},
            key=f"{stem}{i}",
            address=Address("memory", "c"),
            locale="nb",
        )
        for i in range(2)
    ]
    async with unit(harness.app.db) as store:
        assert await store.enqueue(items, harness.clock.now()) == 2
        assert await store.enqueue(items, harness.clock.now()) == 0  # still idempotent
    await harness.app.sender.drain()
    assert sorted(sent_keys(transport)) == ["t0", "t1"]
    assert all(len(r.key) <= 255 for r in await rows(harness))


async def test_a_graceful_stop_gives_back_what_it_did_not_send(harness: Harness) -> None:
    _, transport = use_sender(harness)
    await enqueue(harness, broadcast(300))
    sender = harness.app.sender
    original = transport.send
    stopping: list[object] = []

    async def stop_after_30(address: Address, message: Rendered) -> str:
        sent = await original(address, message)
        if len(transport.sent) == 30:
            stopping.append(asyncio.ensure_future(sender.stop()))
        return sent

    transport.send = stop_after_30  # type: ignore[method-assign]
    await sender.drain()
    await stopping[0]  # type: ignore[misc]
    statuses = Counter(r.status for r in await rows(harness))
    assert statuses == {"sent": 30, "pending": 270}
    assert all(r.claimed_by is None for r in await rows(harness) if r.status == "pending")
    app = harness.app
    nxt = Sender(app.db, app.catalog, app.renderer, harness.clock, {"memory": transport}, "next")
    await nxt.drain()
    assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(300))
