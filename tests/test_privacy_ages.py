"""Ages for `kompis privacy purge --older-than`: days, weeks, calendar months and years, up
to a century; anything else is refused with the way to write it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy import PrivacyError, after, parse_age


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("12m", date(2027, 1, 31), date(2028, 1, 31)),
        ("1m", date(2027, 1, 31), date(2027, 2, 28)),
        ("1Y", date(2028, 2, 29), date(2029, 2, 28)),
        (" 90d ", date(2027, 1, 1), date(2027, 4, 1)),
        ("2w", date(2027, 1, 1), date(2027, 1, 15)),
    ],
)
def test_ages(text: str, day: date, expected: date) -> None:
    assert after(day, *parse_age(text)) == expected


@pytest.mark.parametrize("text", ["", "12", "m", "12 months", "-1d", "1.5y"])
def test_bad_ages(text: str) -> None:
    with pytest.raises(PrivacyError):
        parse_age(text)


@given(
    st.sampled_from(["d", "w", "m", "y"]),
    st.floats(0, 1),
    st.booleans(),
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
)
def test_any_age_up_to_a_century_parses_and_lies_ahead(
    unit: str, share: float, upper: bool, day: date
) -> None:
    most = {"d": 36525, "w": 5218, "m": 1200, "y": 100}[unit]
    amount = int(share * most)
    parsed = parse_age(f"{amount}{unit.upper() if upper else unit}")
    assert parsed == (amount, unit)
    later = after(day, *parsed)
    assert later > day if amount else later == day
    assert (later - day).days <= 36525 + 1
    with pytest.raises(PrivacyError):
        parse_age(f"{most + 1}{unit}")
