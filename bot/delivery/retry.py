"""When to try a failed message again, when to give up, and when a platform is down.

Transient failures are retried on a time horizon, not a count: capped exponential backoff
with jitter for up to ``horizon`` (a day by default), so an outage of minutes or hours costs
nothing. While a platform keeps failing, the sender holds the whole platform (``Outages``)
and probes it with one message at growing intervals instead of burning every row's tries.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures (429, 5xx, timeouts) and unexpected errors are retried."""

    #: an optional bound on tries; ``None``: only the time horizon bounds them
    max_attempts: int | None = None
    base: float = 2.0  # seconds; doubled per attempt
    cap: float = 300.0  # the longest pause between two tries of one row
    #: a row failing for longer than this goes dead (an operator can retry it)
    horizon: timedelta = timedelta(hours=24)
    #: failures that are not the platform's (a template that does not render, a bug) are
    #: retried this often, in case a deploy fixes them, then the row goes dead
    max_errors: int = 5
    #: this many transient failures in a row on one platform and it counts as down
    outage_after: int = 3

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Capped exponential backoff with jitter (between half and all of the step), never
        shorter than the platform asked."""
        step = min(self.cap, self.base * 2 ** min(attempts, 30))
        return max(random.uniform(step / 2, step), retry_after or 0.0)

    def gives_up(self, attempts: int, failing_since: datetime, now: datetime) -> bool:
        """True when a row that just failed its ``attempts``-th try should go dead."""
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return True
        return now - failing_since >= self.horizon


class Outages:
    """Consecutive transient failures per platform account (a Telegram bot, a Slack
    workspace); past ``outage_after`` of them the account is down, and each further failure
    doubles how long the sender holds it (up to the policy's cap)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self._failures: Counter[tuple[str, str]] = Counter()

    def failed(self, platform: str, workspace: str) -> float:
        """Record a failure; returns how long to hold the account (0: not down)."""
        key = (platform, workspace)
        self._failures[key] += 1
        over = self._failures[key] - self.policy.outage_after
        if over < 0:
            return 0.0
        return self.delay(over)

    def delay(self, over: int) -> float:
        return float(min(self.policy.cap, self.policy.base * 2 ** min(over, 30)))

    def succeeded(self, platform: str, workspace: str) -> None:
        self._failures.pop((platform, workspace), None)

    def down(self) -> list[tuple[str, str]]:
        """The accounts counted as down now."""
        return [k for k, n in self._failures.items() if n >= self.policy.outage_after]
