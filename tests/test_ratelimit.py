"""The token buckets never let more through than their budget, in any window."""

from __future__ import annotations

import math
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.ratelimit import CATCH_UP, CHAT_CATCH_UP, RATE_SHARE, RateLimiter
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
    reserve = per_second * CATCH_UP
    for window in (0.0, 0.3, 0.5, 0.99, 1.0, 1.01, 3.0, 60.0):
        # the catch-up reserve, refilled at 98 % of the rate
        most = most_in_window(times, window)
        assert most <= burst + reserve + per_second * RATE_SHARE * window + 1e-6
        if window <= 1.01:  # fewer than the second's budget plus the burst, with 10 ms to
            assert most < burst + per_second  # spare for the network's jitter
            if burst == 1:  # what a platform counting arrivals in any second allows
                assert most <= math.ceil(per_second)
        else:
            assert most <= burst + per_second * window + 1e-6
        for chat in {c for _, c in sent}:
            mine = [t for t, c in sent if c == chat]
            chat_most = most_in_window(mine, window)
            assert chat_most <= 1 + CHAT_CATCH_UP + chat_per_second * window + 1e-6
            if chat.startswith("-"):  # groups: 20 a minute
                assert chat_most <= 1 + CHAT_CATCH_UP + 20 / 60 * window + 1e-6
    for chat in {c for _, c in sent}:  # never closer than 95 % of the chat's interval
        mine = sorted(t for t, c in sent if c == chat)
        closest = min((b - a for a, b in pairwise(mine)), default=1e9)
        assert closest >= (1 - CHAT_CATCH_UP) / chat_per_second - 1e-6


def _late_sender(limits: Limits, address: Address, late: float, sends: int) -> float:
    """A sender that is ``late`` seconds behind every "now" the limiter gives it (it was
    composing, the event loop was busy); returns its rate over ``sends`` sends."""
    clock = Clock()
    limiter = RateLimiter(limits, monotonic=clock)
    first = None
    for _ in range(sends):
        clock.now += limiter.wait(address) + late
        assert limiter.wait(address) == 0
        limiter.take(address)
        first = clock.now if first is None else first
    return (sends - 1) / (clock.now - (first or 0.0))


def test_a_few_milliseconds_late_per_send_do_not_add_up() -> None:
    """At Telegram's 30/s, 6 ms late per send used to hold the rate to 25/s: a one-token
    bucket threw the lateness away. The reserve catches it up (98 % of the rate)."""
    everyone = Address("telegram", "1")
    rate = _late_sender(Limits(per_second=30), everyone, 0.006, 300)
    assert rate >= 0.979 * 30
    # one chat at 1/s, 20 ms late each time: its interval stays one second
    one_chat = _late_sender(Limits(chat_per_second=1.0), Address("telegram", "7"), 0.02, 20)
    assert one_chat >= 0.999


def test_a_second_a_little_longer_holds_no_send_too_many() -> None:
    """The platform counts arrivals: a perfectly timed sender at Telegram's 30/s (and 300/s)
    puts at most the rate in any 1.01 s, so 10 ms of jitter on the way draws no 429. With
    a 2 % reserve at the rate less 2 %, some second held 31 and the benchmark drew a 429."""
    for per_second in (30.0, 300.0):
        clock = Clock()
        limiter = RateLimiter(Limits(per_second=per_second), monotonic=clock)
        everyone, times = Address("telegram", "1"), []
        for _ in range(int(per_second * 5)):
            clock.now += limiter.wait(everyone)
            limiter.take(everyone)
            times.append(clock.now)
        assert most_in_window(times, 1.01) <= per_second


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
