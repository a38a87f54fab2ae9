"""One claimed batch, worked through by the sender's slots side by side.

Each slot has one row in flight at a time and runs: pick the next queued row whose chat has
send budget now and no other slot's row in flight (so a chat gets its messages in order and
within its budget, spent as each goes out), mark it begun under its claim, compose, render
and send it, then hand it to the group commit together with the row it picks next, and
wait for that commit before sending again. So a busy broadcast keeps ``window`` sends
in flight within the rate limiter instead of one, and a crash still re-sends at most the
one row each slot was sending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.delivery.parts import PartlySent
from bot.delivery.targets import Target, resolve_targets
from bot.features.compose import compose
from bot.storage.claims_batch import Sent
from bot.storage.outbox import OutboxStatus
from bot.storage.repo import OutboxItem, Store, unit

if TYPE_CHECKING:
    from bot.delivery.sender import Sender

log = logging.getLogger(__name__)


async def not_ours(store: Store, outbox_id: int) -> None:
    """A claimed row this worker may not send: settled meanwhile (merged into the person's
    message of the day, say: nothing to report), or released to another worker."""
    if await store.settled(outbox_id):
        log.debug("outbox row %s was settled meanwhile (merged into another message)", outbox_id)
    else:
        log.warning("outbox row %s is no longer ours (lease ran out)", outbox_id)


class BatchRun:
    def __init__(
        self, sender: Sender, batch: list[OutboxItem], targets: dict[int, Target | None]
    ) -> None:
        self.sender = sender
        self.claim = batch[0].claim
        self.queue = list(batch)
        self.targets = targets
        self.settled = 0
        # the chats and people with a row in flight: one at a time each, so a chat gets its
        # messages in order, and a person's next row waits for how the last one went
        self._busy: set[object] = set()
        self._holding: dict[int, list[object]] = {}  # row id -> its marks in ``_busy``
        self._freed = asyncio.Event()

    async def run(self, window: int) -> int:
        """Work the batch with ``window`` slots; returns how many rows were settled. A slot
        that fails does not cut the others short; its error is raised once all are done."""
        if window == 1:
            await self._slot()
        else:
            done = await asyncio.gather(
                *(self._slot() for _ in range(window)), return_exceptions=True
            )
            for outcome in done:
                if isinstance(outcome, BaseException):
                    raise outcome
        return self.settled

    def _marks(self, item: OutboxItem) -> list[object]:
        target = self.targets[item.id]
        marks: list[object] = [("person", item.person_id)] if item.person_id is not None else []
        return marks + ([target[0]] if target is not None else [])

    def _free(self, item: OutboxItem | None) -> None:
        """``item`` is settled (or given up): its chat and person may have the next row."""
        if item is None:
            return
        marks = self._holding.pop(item.id, None)
        if marks is not None:  # each row frees its marks once, whoever asks again
            self._busy.difference_update(marks)
            self.sender.picked.discard(item.id)
            if self.sender.suspect == item.id:
                self.sender.suspect = None
            self._freed.set()
            self._freed = asyncio.Event()

    async def _slot(self) -> None:
        sender = self.sender
        item: OutboxItem | None = None
        ahead: OutboxItem | None = None  # picked, and marked begun with the last settling
        try:
            while not sender.stopping:
                await sender.renew(self.claim)
                if ahead is None:
                    item = await self._next()
                    if item is None:
                        return
                    if self.targets[item.id] is None:
                        await self._nobody(item)
                        self._free(item)
                        continue
                    sender.in_flight.add(item.id)
                    if not await sender.settler.submit(begin=item):
                        await self._not_ours(item)
                        self.settled += 1  # counted as handled, as the row was picked
                        continue
                else:
                    item, ahead = ahead, None
                sent = await self._deliver(item)
                if sent is None:
                    self._free(item)
                    continue
                ahead = self._take_next(sendable=True)  # begun in this row's settling
                if ahead is not None:
                    sender.in_flight.add(ahead.id)
                held = await sender.settler.submit(sent=sent, begin=ahead)
                sender.in_flight.discard(item.id)
                self.settled += 1
                self._free(item)
                if ahead is not None and not held:
                    # merged into another message, or released to another worker
                    await self._not_ours(ahead)
                    ahead = None
        finally:
            # a slot that stops (or fails) lets the rest of the batch go on without it; a
            # row begun but not sent goes back with the rest (one being sent stays claimed)
            self._free(item)
            if ahead is not None:
                sender.in_flight.discard(ahead.id)
                self._free(ahead)

    async def _not_ours(self, item: OutboxItem) -> None:
        self.sender.in_flight.discard(item.id)
        self._free(item)
        async with unit(self.sender.db) as store:
            await not_ours(store, item.id)

    async def _next(self) -> OutboxItem | None:
        """The next row to send, waiting for budget up to ``max_wait`` (and for a chat or
        person another slot is sending to); None: the batch is done (sent, or the rest
        given back until their chats have budget)."""
        sender = self.sender
        while self.queue and not sender.stopping:
            item = self._take_next()
            if item is not None:
                return item
            free = [i for i in self.queue if not self._is_busy(i)]
            soonest = min((self._wait(i) for i in free), default=float("inf"))
            if len(free) < len(self.queue) and soonest > 0:  # wait for a slot's row, too
                freed = self._freed
                # (a row of another drain, or one going alone, frees no event of ours)
                step = min(soonest, sender.lease.total_seconds() / 3, 0.05)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(freed.wait(), step)
                await sender.renew(self.claim)
            elif soonest <= sender.max_wait:
                await sender.pause(soonest, self.claim)
            else:
                rest, self.queue = self.queue, []
                await sender.defer(rest, self.targets)
        return None

    def _is_busy(self, item: OutboxItem) -> bool:
        """A chat or person of the row has one in flight, or it must wait to go alone."""
        sender = self.sender
        if sender.suspect is not None or (item.crashes and sender.picked):
            return True
        return any(mark in self._busy for mark in self._marks(item))

    def _wait(self, item: OutboxItem) -> float:
        target = self.targets[item.id]
        return 0.0 if target is None else self.sender.limiter(target).wait(target[0])

    def _take_next(self, sendable: bool = False) -> OutboxItem | None:
        """The first queued row whose chat has budget now and no row in flight (or that has
        nobody to go to, unless ``sendable``), marked busy; None if there is none."""
        for index, item in enumerate(self.queue):
            if self._is_busy(item):
                continue
            target = self.targets[item.id]
            if target is None:
                if sendable:
                    continue
            else:
                if self.sender.limiter(target).wait(target[0]) > 0:
                    continue  # spent as it goes out; meanwhile the mark holds its chat
            if item.crashes:  # a worker stopped while sending it: it goes alone, so
                self.sender.suspect = item.id  # another crash now is blamed on it only
            self.sender.picked.add(item.id)
            self._holding[item.id] = self._marks(item)
            self._busy.update(self._holding[item.id])
            return self.queue.pop(index)
        return None

    async def _nobody(self, item: OutboxItem) -> None:
        sender = self.sender
        async with unit(sender.db) as store:
            await store.finish(
                item.id,
                OutboxStatus.SKIPPED,
                sender.clock.now(),
                "nobody reachable",
                claim=item.claim,
            )
        self.settled += 1

    async def _deliver(self, item: OutboxItem) -> Sent | None:
        """Send one begun row; what to settle it with, or None when it is settled already
        (composed away, or failed and settled as such)."""
        sender = self.sender
        target = self.targets[item.id]
        assert target is not None
        address = target[0]
        transport = sender.transports[address.platform]
        try:
            # Compose hook (features.compose): a reminder is composed from the person's
            # state now; None means compose settled the row itself (skipped, held, merged).
            async with unit(sender.db) as store:
                outgoing = await compose(store, sender.catalog, item, sender.clock.now())
            if outgoing is None:
                sender.in_flight.discard(item.id)
                self.settled += 1
                return None
            address, rendered = await sender.parts.render(outgoing, target, transport)
            ids = await sender.parts.send(transport, address, rendered, item)
        except PartlySent as partly:
            sender.in_flight.discard(item.id)
            sent_to = (address, [*item.message_ids, *partly.ids])
            unreachable = await sender.failures.transport(
                item, partly.error, target, partly.sent, sent_to if sent_to[1] else None
            )
            self.settled += 1
            if unreachable is not None:
                await self._retarget(unreachable)
            return None
        except Exception as exc:  # a template that does not render, a transport bug
            sender.in_flight.discard(item.id)
            await sender.failures.broken(item, exc)
            self.settled += 1
            return None
        sender.failures.outages.succeeded(address.platform, address.workspace)
        return Sent(item.id, item.claim, sender.clock.now(), address, [*item.message_ids, *ids])

    async def _retarget(self, person_id: int) -> None:
        """A person became unreachable where they were: their queued rows go elsewhere."""
        sender = self.sender
        mine = [i for i in self.queue if i.person_id == person_id]
        async with unit(sender.db) as store:
            self.targets |= await resolve_targets(store, sender.catalog, sender.transports, mine)
