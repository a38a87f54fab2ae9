"""The fake Slack's rate limits: sliding windows per channel, per workspace and per method,
answered with 429 and a ``Retry-After`` in whole seconds, as Slack does (platform-facts C1)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    """At most ``count`` calls in any window of ``seconds`` (1 per 1 s is Slack's per-channel
    posting rate)."""

    count: int
    seconds: float


class SlidingWindow:
    """Counts admitted calls per key over a sliding window, as Slack's limits do."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: dict[tuple[str, ...], deque[float]] = {}

    def wait(self, key: tuple[str, ...], limit: Limit | None) -> int | None:
        """None if one more call fits under ``limit`` now, else the whole seconds until it
        does (at least 1, like Slack's ``Retry-After``). Counts nothing."""
        if limit is None:
            return None
        now = self._clock()
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - limit.seconds:
            seen.popleft()
        if len(seen) < limit.count:
            return None
        return max(1, math.ceil(seen[len(seen) - limit.count] + limit.seconds - now))

    def admit(self, key: tuple[str, ...]) -> None:
        self._seen.setdefault(key, deque()).append(self._clock())


SLACK_CHANNEL_LIMIT = Limit(1, 1.0)  # "1 per second per channel" for chat.postMessage


@dataclass
class RateLimits:
    """What the fake answers 429 to. ``channel`` counts ``chat.postMessage`` per channel,
    ``workspace`` counts the posting methods (``WORKSPACE_METHODS``) per team, and
    ``methods`` one Web API method per team (e.g. ``conversations.open`` at Tier 3)."""

    channel: Limit | None = field(default_factory=lambda: SLACK_CHANNEL_LIMIT)
    workspace: Limit | None = None
    methods: dict[str, Limit] = field(default_factory=dict)


WORKSPACE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})


class Throttle:
    """Decides, per call, whether the limits let it through; counts only calls let through."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.limits = RateLimits()
        self._windows = SlidingWindow(clock)

    def retry_after(self, team_id: str, method: str, channel: str | None) -> int | None:
        """None if the call may go ahead (and it is counted), else the seconds to wait."""
        keys: list[tuple[tuple[str, ...], Limit | None]] = [
            ((team_id, method), self.limits.methods.get(method))
        ]
        if method in WORKSPACE_METHODS:
            keys.append(((team_id, "*post*"), self.limits.workspace))
        if method == "chat.postMessage":
            keys.append(((team_id, "#", str(channel)), self.limits.channel))
        waits = [w for key, limit in keys if (w := self._windows.wait(key, limit)) is not None]
        if waits:
            return max(waits)
        for key, limit in keys:
            if limit is not None:
                self._windows.admit(key)
        return None
