"""Per-platform send budgets as token buckets on an injectable monotonic clock.

One ``RateLimiter`` per transport. It answers "how long until I may send to this address?"
without blocking, so the sender can pick another message whose chat is free instead of
stalling a whole broadcast behind one busy chat.

Each bucket keeps a small catch-up reserve, so a send that went out a few milliseconds late
(the event loop was busy, the message was being composed) does not push every later send
back by as much: with one-token buckets, 6 ms of lateness per send held Telegram's 30/s to
about 25/s. The overall bucket refills at 98 % of the rate (``RATE_SHARE``) and holds 1 % of
a second's sends more than its burst (``CATCH_UP``). So a window of a second holds fewer
than ``burst + per_second`` sends, and so does one a little longer (1.01 s): the platform
counts arrivals, and a send that took 10 ms longer on the way than the one a second after
it must not make that second one too many (with a 2 % reserve at the rate less 2 %,
perfectly timed sends made exactly 31 in some second at 30/s, and the network's jitter
drew a 429 that paused everything for a second). A chat's bucket holds 5 % of a send more
(``CHAT_CATCH_UP``) at the full rate: two sends to one chat are never closer than 95 % of
its interval, and its average stays within its rate.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain.messages import Address
from bot.settings import Settings
from bot.storage.budget import BudgetConnection
from bot.storage.db import Database
from bot.transports.base import Limits

Monotonic = Callable[[], float]

# Past this many idle buckets we drop the full ones: a full bucket is the same as a
# fresh one, and a broadcast to thousands of chats must not keep thousands of buckets forever.
_PRUNE_AT = 10_000

#: Catch-up reserves (see the module's text): a share of the overall rate, and of one send
#: for a chat's (or group chat's) own bucket.
CATCH_UP = 0.01
CHAT_CATCH_UP = 0.05
#: the share of the overall rate the overall bucket refills at (and the shared budget's
#: slots are spaced at)
RATE_SHARE = 0.98


@dataclass
class TokenBucket:
    """``rate`` tokens per second, at most ``capacity`` stored; one token per send."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, capacity: float, now: float) -> TokenBucket:
        return cls(rate, max(capacity, 1.0), max(capacity, 1.0), now)

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0.0: now)."""
        self._refill(now)
        # Float error can leave a token a hair short after sleeping exactly the answer; a
        # wait that small would not even move a float clock, so count it as available.
        missing = 1.0 - self.tokens
        return missing / self.rate if missing > 1e-9 else 0.0

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity


class RateLimiter:
    """All the buckets of one transport: its overall (or per-workspace) budget, one per chat
    and one per group chat."""

    def __init__(self, limits: Limits | None, monotonic: Monotonic = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.monotonic = monotonic
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}
        self._held: dict[str, float] = {}  # workspace -> monotonic time a 429 hold ends

    def _keys(self, address: Address) -> list[tuple[tuple[str, ...], float, float]]:
        """(bucket key, rate per second, capacity) for every budget a send to ``address``
        spends."""
        lim = self.limits
        keys: list[tuple[tuple[str, ...], float, float]] = []
        if lim.per_second:
            reserve = lim.per_second * CATCH_UP
            keys.append(
                (("all", address.workspace), lim.per_second * RATE_SHARE, lim.burst + reserve)
            )
        if lim.chat_per_second:
            keys.append(
                (
                    ("chat", address.workspace, address.chat_id),
                    lim.chat_per_second,
                    lim.chat_burst + CHAT_CATCH_UP,
                )
            )
        if lim.group_per_minute and is_group_chat(address):
            keys.append(
                (
                    ("group", address.workspace, address.chat_id),
                    lim.group_per_minute / 60.0,
                    lim.group_burst + CHAT_CATCH_UP,
                )
            )
        return keys

    def _bucket(self, key: tuple[str, ...], rate: float, capacity: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _PRUNE_AT:
                self._prune()
            bucket = self._buckets[key] = TokenBucket.full(rate, capacity, self.monotonic())
        return bucket

    def _prune(self) -> None:
        now = self.monotonic()
        for key in [k for k, b in self._buckets.items() if b.idle(now)]:
            del self._buckets[key]

    def wait(self, address: Address) -> float:
        """Seconds until a send to ``address`` fits every budget; 0.0 means now. Takes
        nothing."""
        now = self.monotonic()
        held = self._held.get(address.workspace, 0.0) - now
        if held > 0:
            return held
        waits = [self._bucket(k, r, c).wait(now) for k, r, c in self._keys(address)]
        return max(waits, default=0.0)

    def take(self, address: Address) -> None:
        """Spend one send to ``address`` from every budget (call when ``wait`` said 0)."""
        now = self.monotonic()
        for key, rate, capacity in self._keys(address):
            self._bucket(key, rate, capacity).take(now)

    def hold(self, address: Address, seconds: float) -> None:
        """The platform said "retry after ``seconds``": send nothing through this bot (or
        Slack workspace) until then. Pausing everything, not only the one chat, is what keeps
        a 429 storm from turning into a retry storm."""
        until = self.monotonic() + seconds
        self._held[address.workspace] = max(self._held.get(address.workspace, 0.0), until)


class SharedBudget:
    """The overall budget of each platform (of each Slack workspace) shared by every
    delivery process through the database (PostgreSQL): each send reserves the next free
    slot (slots ``1 / per_second`` seconds apart, at 98 %) in one atomic upsert
    (``bot.storage.budget``), so any number of processes together stay within the one
    budget instead of multiplying it.
    Per-chat budgets stay in the process (``RateLimiter``).

    Reservations go over one connection of the process's own, one round trip each. A send
    that could not go out on its slot (the process was busy) takes a new one rather than
    going late, so late sends never bunch up above the rate."""

    def __init__(
        self, db: Database, limits: dict[str, Limits], monotonic: Monotonic = time.monotonic
    ) -> None:
        self.db = db
        self.limits = limits
        self.monotonic = monotonic
        self.connection = BudgetConnection(db)

    async def acquire(self, address: Address, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Wait for this send's slot of the shared budget (returns at once without one)."""
        limits = self.limits.get(address.platform)
        if limits is None or not limits.per_second:
            return
        # Slots at 98 % of the rate, as the process's own overall bucket refills: a send
        # may take its slot up to ``tolerance`` late, and at the full rate a one-second
        # window could then hold a few sends more than the platform allows (the benchmark's
        # three workers drew 15 429s of 3,000 that way).
        interval = 1.0 / (limits.per_second * RATE_SHARE)
        for _ in range(3):  # a process too busy to be on time 3 times running sends anyway
            key = f"{address.platform}:{address.workspace}"
            wait = await self.connection.reserve(key, interval)
            slot = self.monotonic() + wait
            if wait > 0:
                await sleep(wait)
            if self.monotonic() - slot <= self.tolerance(interval):
                return

    @staticmethod
    def tolerance(interval: float) -> float:
        """How late a send may still take its slot: two slots, at least 10 ms (a busy event
        loop is often that late, and a new slot for each would waste the budget). Any window
        of ``w`` seconds therefore holds at most ``(w + tolerance) / interval + 1`` sends."""
        return max(2 * interval, 0.01)

    async def close(self) -> None:
        await self.connection.close()


def is_group_chat(address: Address) -> bool:
    """Telegram group and supergroup chat ids are negative; private chats are positive."""
    return address.platform == "telegram" and address.chat_id.startswith("-")


def default_limits(settings: Settings, platform: str) -> Limits | None:
    """The configured budget of a platform (defaults: the platforms' published limits)."""
    if platform == "telegram":
        return Limits(
            per_second=settings.telegram_per_second,
            chat_per_second=settings.telegram_chat_per_second,
            group_per_minute=settings.telegram_group_per_minute,
        )
    if platform == "slack":
        return Limits(
            per_second=settings.slack_workspace_per_second,
            chat_per_second=settings.slack_channel_per_second,
        )
    return None
