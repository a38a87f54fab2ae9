"""One person's messages arrive in the order they were queued, however many delivery lanes
(and claims) send side by side. Checked against what the fake Bot API received."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from bot.delivery.ratelimit import RateLimiter
from bot.delivery.sender import Sender
from bot.domain.catalog import Catalog
from bot.domain.clock import FakeClock
from bot.domain.messages import Address, Outgoing
from bot.storage.outbox import OutboxItem
from bot.storage.repo import unit
from bot.transports.base import Limits
from bot.transports.memory import MemoryTransport
from tests.delivery_helpers import GatedTransport, broadcast, sent_keys
from tests.fake_telegram_limits import LimitedTelegram
from tests.helpers import Harness
from tests.telegram_support import running, settle
from tests.test_telegram_delivery import people_on_telegram

EACH = 6


def numbers(texts: list[str]) -> list[int]:
    return [int(m.group(1)) for t in texts if (m := re.search(r"N(\d+)", t))]


async def test_four_lanes_keep_each_persons_order(database_url: str) -> None:
    """Six messages to each of 30 people, queued round by round, through ``kompis run``'s
    composition with four lanes: every chat gets 0, 1, ..., 5 in that order. (Before, a
    lane claimed a person's later rows while another lane held the earlier ones, and all
    30 chats got some out of order.)"""
    async with (
        LimitedTelegram(per_second=300, chat_per_second=5) as fake,
        running(
            fake,
            database_url,
            delivery_lanes=4,
            telegram_per_second=300,
            telegram_chat_per_second=5,
        ) as service,
    ):
        people = await people_on_telegram(service, 30)
        async with unit(service.db) as store:
            await store.enqueue(
                [
                    Outgoing(p, "help", {"name": f"N{n}"}, key=f"order:{n}:{p}")
                    for n in range(EACH)
                    for p in people
                ],
                datetime.now(UTC),
            )
        service.app.delivery.wake()
        await settle(service, within=60)
        assert len(fake.messages) == 30
        for chat, messages in fake.messages.items():
            assert numbers([m.text for m in messages]) == list(range(EACH)), chat
        assert fake.refused_429 == 0


async def test_a_claim_leaves_a_recipient_held_by_another_claim(harness: Harness) -> None:
    """While one claim holds a chat's first rows, another gets none of its later ones
    (only other chats'); once the first is settled, the rest can be claimed."""
    h = harness
    now = h.clock.now()
    async with unit(h.app.db) as store:  # rows 0..5 to chat0 and chat1, alternating
        await store.enqueue(broadcast(6, chats=2), now)
    async with unit(h.app.db) as store:
        first = await store.claim(now, "a", 1)  # chat0's row 0 only
    assert [i.key for i in first] == ["b:0"]
    async with unit(h.app.db) as store:
        second = await store.claim(now, "b", 10)
    assert [i.key for i in second] == ["b:1", "b:3", "b:5"]  # chat1's; nothing of chat0
    async with unit(h.app.db) as store:
        assert await store.claim(now, "c", 10) == []
        await store.finish(first[0].id, "sent", now, claim=first[0].claim)
    async with unit(h.app.db) as store:
        third = await store.claim(now, "c", 10)
    assert [i.key for i in third] == ["b:2", "b:4"]


async def test_concurrent_claims_on_postgresql_do_not_split_a_recipient(
    postgres_url: str,
) -> None:
    """Two claims at once (the first one's transaction still open): the second skips the
    recipients the first is taking, instead of waiting or taking their later rows."""
    h = Harness(postgres_url)
    await h.start(participants=False)
    try:
        now = h.clock.now()
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(8, chats=4), now)  # chat k: rows k and k + 4
        async with unit(h.app.db) as a:
            first = await a.claim(now, "a", 2)  # rows 0 and 1: chat0 and chat1
            async with unit(h.app.db) as b:
                second = await asyncio.wait_for(b.claim(now, "b", 10), timeout=5)
        assert [i.key for i in first] == ["b:0", "b:1"]
        assert [i.key for i in second] == ["b:2", "b:3", "b:6", "b:7"]
    finally:
        await h.stop()


async def test_a_drain_sends_what_its_claim_kept_from_another_drain(harness: Harness) -> None:
    """Drain A is sending chat0's first row when chat0's second row is queued and drain B
    runs: B must leave it (A's claim holds chat0), so A sends it before it returns. (A used
    to stop after a short batch, and the row waited for the next tick: a quiz's "already
    answered" reply never came in the test of two presses at once.)"""
    h = harness
    gated = GatedTransport()
    h.app.sender.transports["memory"] = gated
    now = h.clock.now()
    first, second = broadcast(3, chats=1)[:2]
    async with unit(h.app.db) as store:
        await store.enqueue([first], now)
    drain_a = asyncio.create_task(h.app.sender.drain())
    await asyncio.wait_for(gated.entered.wait(), timeout=5)
    async with unit(h.app.db) as store:
        await store.enqueue([second], now)
    assert await h.app.sender.drain() == 0  # B: chat0 is held by A's claim
    gated.gate.set()
    assert await asyncio.wait_for(drain_a, timeout=10) == 2
    assert sent_keys(gated) == ["b0", "b1"]


def test_a_later_row_never_overtakes_an_earlier_one_of_its_chat() -> None:
    """The chat's budget comes free between the sender's look at the first row and its look
    at the second: the second still waits its turn (it was sent first before)."""
    moments = iter([0.0, 0.0, 0.9495, 0.9505, 0.9515])
    limiter = RateLimiter(Limits(chat_per_second=1.0), monotonic=lambda: next(moments))
    chat = Address("memory", "chat0")
    limiter.take(chat)  # a message just went out: 0.05 of a send is left over
    sender = Sender(
        None,  # type: ignore[arg-type]  # picking touches no database
        Catalog(),
        None,  # type: ignore[arg-type]
        FakeClock(datetime(2026, 12, 1, tzinfo=UTC)),
        {"memory": MemoryTransport(platform="memory")},
    )
    sender.limiters["memory"] = limiter
    queue = [_queued(n, chat) for n in (1, 2)]
    picked, soonest = sender._pick(queue, {item.id: (chat, "nb", None) for item in queue})
    assert picked is None
    assert 0 < soonest < 0.001


def _queued(row_id: int, address: Address) -> OutboxItem:
    return OutboxItem(
        id=row_id,
        key=f"b:{row_id}",
        person_id=None,
        address=address,
        locale="nb",
        kind="broadcast",
        template="done_ok",
        params={"title": f"b{row_id}"},
        buttons=(),
        attempts=0,
        late=False,
        not_before=datetime(2026, 12, 1, tzinfo=UTC),
    )
