"""A batch whose rows all wait for one Slack workspace's budget takes in the next due rows,
so a broadcast queued workspace after workspace goes out to all of them side by side, each
message once and one person's in order; Telegram (one overall budget) takes in nothing."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

from bot.delivery.picking import waits_on_workspaces
from bot.delivery.sender import TOP_UP_HOLD, Sender
from bot.domain.messages import Address, Outgoing
from bot.storage.repo import unit
from bot.transports.base import Limits
from bot.transports.memory import MemoryTransport
from tests.delivery_helpers import sent_keys
from tests.helpers import Harness

EACH = 8


def to_workspaces(workspaces: list[str], each: int) -> list[Outgoing]:
    return [
        Outgoing(
            None,
            "done_ok",
            {"title": f"{team}-{n}"},
            key=f"{team}:{n}",
            kind="broadcast",
            address=Address("memory", f"D{team}{n}", workspace=team),
            locale="nb",
        )
        for team in workspaces
        for n in range(each)
    ]


async def test_a_broadcast_goes_to_every_workspace_side_by_side(database_url: str) -> None:
    h = Harness(database_url)
    await h.start(participants=False)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(to_workspaces(["T1", "T2", "T3"], EACH), h.clock.now())
        transport = MemoryTransport(platform="memory")
        limits = {"memory": Limits(per_second=5.0, burst=1)}
        sender = Sender(
            h.app.db, h.catalog, h.app.renderer, h.clock, {"memory": transport}, "a", limits=limits
        )
        assert await sender.drain(limit=4) == 3 * EACH
        sent = sent_keys(transport)
    finally:
        await h.stop()
    assert Counter(sent) == Counter(f"{t}-{n}" for t in ("T1", "T2", "T3") for n in range(EACH))
    last_of_first = sent.index(f"T1-{EACH - 1}")
    # without taking in more rows, T2 and T3 would wait until all of T1's were out
    assert sent.index("T2-0") < last_of_first and sent.index("T3-0") < last_of_first
    for team in ("T1", "T2", "T3"):  # each workspace's rows still go in queue order
        mine = [key for key in sent if key.startswith(team)]
        assert mine == [f"{team}-{n}" for n in range(EACH)]


def test_only_rows_for_a_workspace_ask_for_more() -> None:
    telegram = (Address("telegram", "5"), "nb", None)
    slack = (Address("slack", "D1", workspace="T1"), "nb", None)
    rows: list[Any] = [SimpleNamespace(id=n) for n in range(3)]  # only the id is read
    targets: dict[int, Any] = {0: telegram, 1: slack, 2: None}
    assert not waits_on_workspaces([rows[0], rows[2]], targets, TOP_UP_HOLD)
    assert waits_on_workspaces(rows, targets, TOP_UP_HOLD)
    assert not waits_on_workspaces(rows, targets, 3)  # it holds enough already
