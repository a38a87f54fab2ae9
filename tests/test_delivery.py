"""Delivery under load and faults: rate limits, RetryAfter, 5xx, timeouts, blocked users."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.delivery.ratelimit import CHAT_CATCH_UP
from bot.delivery.sender import RetryPolicy
from bot.domain.messages import Address, Outgoing
from bot.storage.repo import unit
from bot.transports.base import Limits, TransportError
from tests.delivery_helpers import broadcast, drain_until_settled, rows, sent_keys, use_sender
from tests.helpers import Harness

TELEGRAM_LIKE = Limits(per_second=30, chat_per_second=1)


def too_many(seconds: float) -> TransportError:
    return TransportError(
        f"Too Many Requests: retry after {seconds:g}", retryable=True, retry_after=seconds
    )


def server_error() -> TransportError:
    return TransportError("502 Bad Gateway", retryable=True)


async def enqueue(h: Harness, items: list[Outgoing]) -> None:
    async with unit(h.app.db) as store:
        await store.enqueue(items, h.clock.now())


def max_in_window(times: list[float], window: float) -> int:
    """The most attempts in any half-open window [t, t + window)."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_broadcast_uses_the_budget_fully_and_never_exceeds_it(harness: Harness) -> None:
    fake, transport = use_sender(harness, TELEGRAM_LIKE)
    await enqueue(harness, broadcast(300))
    started = fake.now
    await harness.app.sender.drain()
    times = [t for t, _ in transport.attempt_times]
    elapsed = fake.now - started
    rate = 300 / elapsed
    print(f"\n300 messages to 300 chats in {elapsed:.2f} fake s: {rate:.1f} msg/s (budget 30)")
    assert sorted(sent_keys(transport)) == sorted(f"b{i}" for i in range(300))
    assert max_in_window(times, 1.0) <= 30
    assert rate >= 29.0  # the whole budget, not a cautious fraction of it


async def test_a_busy_chat_does_not_hold_up_the_others(harness: Harness) -> None:
    fake, transport = use_sender(harness, TELEGRAM_LIKE, max_wait=2.0)
    # 20 messages to one chat first in the queue, then 60 to 60 other chats.
    busy = broadcast(20, chats=1, prefix="busy")
    others = [
        Outgoing(
            None, "done_ok", {"title": f"o{i}"}, key=f"o:{i}", address=Address("memory", f"o{i}")
        )
        for i in range(60)
    ]
    await enqueue(harness, busy + others)
    started = fake.now
    await harness.app.sender.drain()
    keys = sent_keys(transport)
    # Every other chat went out within about 2 s (60 at 30/s), not after the busy chat's 20 s.
    last_other = max(t for t, chat in transport.attempt_times if chat != "chat0")
    assert last_other - started < 2.5
    assert all(f"o{i}" in keys for i in range(60))
    per_chat = [t for t, chat in transport.attempt_times if chat == "chat0"]
    # never two closer than 95 % of a second (the chat bucket's catch-up reserve)
    assert max_in_window(per_chat, 1.0 - CHAT_CATCH_UP - 0.001) <= 1
    assert max_in_window(per_chat, 10.0) <= 11
    # What could not go within max_wait went back to the queue, unspent, and goes later.
    await drain_until_settled(harness, fake)
    expected = [f"busy{i}" for i in range(20)] + [f"o{i}" for i in range(60)]
    assert Counter(sent_keys(transport)) == Counter(expected)
    assert all(r.status == "sent" and r.attempts == 1 for r in await rows(harness))


async def test_retry_after_is_honoured(harness: Harness) -> None:
    fake, transport = use_sender(harness)
    transport.fail_next(too_many(7))
    await enqueue(harness, broadcast(1))
    before = harness.clock.now()
    await harness.app.sender.drain()
    [row] = await rows(harness)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.not_before >= before + timedelta(seconds=7)
    fake.advance(3)
    await harness.app.sender.drain()
    assert transport.attempts == 1  # not before its time
    await drain_until_settled(harness, fake)
    [row] = await rows(harness)
    assert (row.status, row.attempts, transport.attempts) == ("sent", 2, 2)


async def test_a_429_storm_costs_one_attempt_per_429(harness: Harness) -> None:
    fake, transport = use_sender(harness, TELEGRAM_LIKE)
    storm = 25
    transport.fail_next(*[too_many(1) for _ in range(storm)])
    await enqueue(harness, broadcast(100))
    await drain_until_settled(harness, fake)
    assert Counter(sent_keys(transport)) == Counter(f"b{i}" for i in range(100))
    assert transport.attempts == 100 + storm  # no retry storm
    # Nothing was tried while the platform had asked to wait.
    times = [t for t, _ in transport.attempt_times]
    for index in range(storm):
        assert times[index + 1] >= times[index] + 1.0
    assert all(r.status == "sent" for r in await rows(harness))
    print(f"\n429 storm: {storm} 429s, 100 messages, {transport.attempts} attempts")


async def test_5xx_and_timeouts_are_retried_with_backoff_then_dead(harness: Harness) -> None:
    fake, transport = use_sender(harness, retry=RetryPolicy(max_attempts=4, base=2.0))
    timeout = TransportError("Timed out", retryable=True)
    # first message: two failures then success; second: fails every time
    transport.fail_next(server_error(), timeout)
    await enqueue(harness, broadcast(1, prefix="ok"))
    await drain_until_settled(harness, fake)
    transport.fail_next(*[server_error() for _ in range(10)])
    await enqueue(harness, broadcast(1, prefix="doomed"))
    await drain_until_settled(harness, fake)
    ok, doomed = await rows(harness)
    assert (ok.status, ok.attempts) == ("sent", 3)
    assert (doomed.status, doomed.attempts) == ("dead", 4)  # bounded
    assert "502" in (doomed.last_error or "")
    assert transport.attempts == 3 + 4
    assert sent_keys(transport) == ["ok0"]


def test_backoff_grows_with_jitter_and_respects_retry_after() -> None:
    policy = RetryPolicy(base=2.0, cap=60.0)
    for attempts in range(8):
        delays = [policy.delay(attempts, None) for _ in range(200)]
        assert all(0 <= d <= min(60.0, 2.0 * 2**attempts) for d in delays)
        assert len(set(delays)) > 100  # jittered, so retries of a burst spread out
    assert all(policy.delay(0, 30) >= 30 for _ in range(50))


async def test_blocked_person_is_marked_unreachable_and_reported(harness: Harness) -> None:
    fake, transport = use_sender(harness)
    kari = await harness.person_id("kari.nordvik")
    ola = await harness.person_id("ola.bakken")
    transport.blocked.add("kari.nordvik")
    transport.fail_next(
        TransportError("Forbidden: user is deactivated", retryable=False, unreachable=True)
    )
    await enqueue(
        harness,
        [Outgoing(ola, "done_ok", {"title": "o1"}, key="o1")]
        + [Outgoing(kari, "done_ok", {"title": f"k{i}"}, key=f"k{i}") for i in range(3)],
    )
    await drain_until_settled(harness, fake)
    statuses = [(r.key, r.status, r.attempts) for r in await rows(harness)]
    assert statuses == [
        ("o1", "failed", 1),
        ("k0", "failed", 1),
        ("k1", "skipped", 0),  # not tried: nobody reachable
        ("k2", "skipped", 0),
    ]
    assert transport.attempts == 2
    async with unit(harness.app.db) as store:
        everyone = await store.unreachable_people(harness.cohort.id)
        tromso = await store.unreachable_people(harness.cohort.id, organisation="tromso")
        elsewhere = await store.unreachable_people(harness.cohort.id, organisation="nowhere")
    assert [(u.name, u.reason) for u in everyone] == [
        ("Kari Nordvik", "blocked by the user"),
        ("Ola Bakken", "Forbidden: user is deactivated"),
    ] or [(u.name, u.reason) for u in everyone] == [
        ("Ola Bakken", "Forbidden: user is deactivated"),
        ("Kari Nordvik", "blocked by the user"),
    ]
    assert {u.organisation for u in tromso} == {"tromso"} and len(tromso) == 2
    assert elsewhere == []


async def test_a_blocked_identity_falls_back_to_another(harness: Harness) -> None:
    fake, transport = use_sender(harness)
    kari = await harness.person_id("kari.nordvik")
    async with unit(harness.app.db) as store:
        # an older second account on the same platform
        await store.link_identity(kari, "memory", "kari-2", "kari-2", harness.clock.now())
        await store.touch_identity(
            "memory", "kari.nordvik", "", "kari.nordvik", harness.clock.now() + timedelta(1)
        )
    transport.blocked.add("kari.nordvik")
    await enqueue(
        harness, [Outgoing(kari, "done_ok", {"title": f"k{i}"}, key=f"k{i}") for i in range(2)]
    )
    await drain_until_settled(harness, fake)
    # Both reach her other account, the one that found the block included.
    assert [(r.status, r.attempts) for r in await rows(harness)] == [("sent", 2), ("sent", 1)]
    assert transport.texts("kari-2") and sorted(sent_keys(transport)) == ["k0", "k1"]
    async with unit(harness.app.db) as store:
        assert await store.unreachable_people(harness.cohort.id) == []  # reachable elsewhere


async def test_a_split_message_resumes_after_the_parts_already_sent(harness: Harness) -> None:
    """A 429 on part 2 of 3: the retry sends parts 2 and 3, never part 1 again."""
    fake, transport = use_sender(harness)
    transport.max_text = 40
    words = " ".join(f"ord{i:02d}" for i in range(18))  # about 110 characters: 3 parts
    item = Outgoing(
        None,
        "unknown_command",
        {"word": words},
        key="long",
        address=Address("memory", "chat-long"),
        locale="nb",
    )
    await enqueue(harness, [item])
    original_send = transport.send
    calls = 0

    async def second_part_fails_once(address: Address, message: object) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise too_many(1)
        return await original_send(address, message)  # type: ignore[arg-type]

    transport.send = second_part_fails_once  # type: ignore[method-assign]
    await drain_until_settled(harness, fake)
    parts = transport.texts("chat-long")
    assert len(parts) == len(set(parts)) >= 3, parts
    assert "".join(parts).replace(" ", "").count("ord00") == 1
    [row] = await rows(harness)
    # saved after every part but the last
    assert (row.status, row.attempts, row.parts_sent) == ("sent", 2, len(parts) - 1)
