"""Working days: weekends, public holidays (NO/SE) and the de facto holidays around them."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    days = set(holidays.country_holidays(country, years=year).keys())
    # Days most workplaces treat as holidays though the law does not: nobody wants a reminder.
    days |= {date(year, 12, 24), date(year, 12, 31)}
    if country == "SE":
        # midsommarafton: the Friday between 19 and 25 June
        days |= {date(year, 6, d) for d in range(19, 26) if date(year, 6, d).weekday() == 4}
    return frozenset(days)


class WorkCalendar:
    """Answers "is this a day to send reminders on?" for one country and policy."""

    def __init__(self, country: str, skip_weekends: bool = True, skip_holidays: bool = True):
        self.country = country
        self.skip_weekends = skip_weekends
        self.skip_holidays = skip_holidays

    def is_holiday(self, day: date) -> bool:
        return day in _public_holidays(self.country, day.year)

    def is_working_day(self, day: date) -> bool:
        if self.skip_weekends and day.weekday() >= 5:
            return False
        return not (self.skip_holidays and self.is_holiday(day))

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the last one before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day
