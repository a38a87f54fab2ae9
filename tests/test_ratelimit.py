"""The token buckets never let more through than their budget, in any window."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.ratelimit import RateLimiter
from bot.domain.messages import Address
from bot.transports.base import Limits


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def most_in_window(times: list[float], window: float) -> int:
    times, best, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while times[start] < moment - window:  # closed window [t - w, t]: the strict bound
            start += 1
        best = max(best, end - start + 1)
    return best


@settings(max_examples=150, deadline=None)
@given(
    per_second=st.floats(1, 50),
    burst=st.integers(1, 5),
    chat_per_second=st.floats(0.2, 5),
    steps=st.lists(
        st.tuples(st.floats(0, 0.3), st.integers(-3, 5)),  # (time passes, chat id)
        min_size=1,
        max_size=300,
    ),
)
def test_never_exceeds_the_budget(
    per_second: float, burst: int, chat_per_second: float, steps: list[tuple[float, int]]
) -> None:
    clock = Clock()
    limits = Limits(per_second, burst, chat_per_second, 1, group_per_minute=20)
    limiter = RateLimiter(limits, monotonic=clock)
    sent: list[tuple[float, str]] = []
    for elapsed, chat in steps:
        clock.now += elapsed
        address = Address("telegram", str(chat))
        # A greedy sender: whenever the limiter says "now", send.
        while limiter.wait(address) == 0:
            limiter.take(address)
            sent.append((clock.now, address.chat_id))
    times = [t for t, _ in sent]
    for window in (0.0, 0.5, 1.0, 3.0, 60.0):
        assert most_in_window(times, window) <= burst + per_second * window + 1e-6
        for chat in {c for _, c in sent}:
            mine = [t for t, c in sent if c == chat]
            assert most_in_window(mine, window) <= 1 + chat_per_second * window + 1e-6
            if chat.startswith("-"):  # groups: 20 a minute
                assert most_in_window(mine, window) <= 1 + 20 / 60 * window + 1e-6


def test_a_hold_stops_everything_until_it_ends() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(per_second=30), monotonic=clock)
    limiter.hold(Address("telegram", "1"), 5.0)
    assert limiter.wait(Address("telegram", "2")) == 5.0
    clock.now = 5.0
    assert limiter.wait(Address("telegram", "2")) == 0.0


def test_no_limits_means_no_waiting() -> None:
    limiter = RateLimiter(None, monotonic=Clock())
    for _ in range(1000):
        assert limiter.wait(Address("console", "x")) == 0.0
        limiter.take(Address("console", "x"))
