"""Which claimed row goes out next: the first whose chat has send budget now."""

from __future__ import annotations

from bot.delivery.ratelimit import RateLimiter
from bot.delivery.targets import Target
from bot.storage.repo import OutboxItem


def next_row(
    queue: list[OutboxItem],
    targets: dict[int, Target | None],
    limiters: dict[str, RateLimiter],
) -> tuple[int | None, float]:
    """The index of the first queued row whose chat has budget now, else None and how long
    until one has. A row never overtakes an earlier one of the same recipient: their chat's
    budget can come free between the two looks, and one person's messages go out in order.
    A row nobody can be reached at needs no budget (it is settled as skipped)."""
    soonest = float("inf")
    waiting: set[object] = set()  # recipients whose earlier row has to wait
    for index, item in enumerate(queue):
        recipient = item.person_id if item.person_id is not None else item.address
        if recipient in waiting:
            continue
        target = targets[item.id]
        wait = 0.0 if target is None else limiters[target[0].platform].wait(target[0])
        if wait <= 0:
            return index, 0.0
        waiting.add(recipient)
        soonest = min(soonest, wait)
    return None, soonest


def waits_on_workspaces(
    queue: list[OutboxItem], targets: dict[int, Target | None], hold: int
) -> bool:
    """Whether a batch that has nothing to send now should take in more rows: it holds
    fewer than ``hold`` and some of its rows are for a Slack workspace (a budget of its own:
    rows of another workspace could go out meanwhile)."""
    if len(queue) >= hold:
        return False
    return any((target := targets[item.id]) is not None and target[0].workspace for item in queue)
