"""`kompis privacy`: a person's data as JSON, erasing a person, purging a finished cohort.

Each works beside a running bot (no process lock, one transaction each) on SQLite and
PostgreSQL. Counts for a dry run come from doing the work in a transaction that is then
rolled back, so they are exactly what the real run would remove.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TypeVar

from bot.domain.clock import Clock, SystemClock
from bot.domain.privacy import document, to_json
from bot.features.buddy_intro import buddy_left
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.repo import Store

T = TypeVar("T")
#: the longest age, per unit: 100 years
_MOST = {"d": 36525, "w": 5218, "m": 1200, "y": 100}
_AGE = re.compile(r"^\s*(\d{1,6})\s*([dwmy])\s*$", re.IGNORECASE)


class PrivacyError(Exception):
    """Input an organiser can fix; the message says what and how."""


class _RollBack(Exception):
    def __init__(self, result: object) -> None:
        self.result = result


async def _run(settings: Settings, work: Callable[[Store], Awaitable[T]], commit: bool) -> T:
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        try:
            async with db.sessions() as session, session.begin():
                result = await work(Store(session))
                if not commit:
                    raise _RollBack(result)
        except _RollBack as rolled_back:
            return rolled_back.result  # type: ignore[return-value]
        return result
    finally:
        await db.dispose()


async def _person(store: Store, email: str | None, person_id: int | None) -> int:
    if person_id is not None:
        if not await store.person_known(person_id):
            raise PrivacyError(f"no person with the id {person_id}; check --id")
        return person_id
    if not email or not email.strip():
        raise PrivacyError("name the person: --person EMAIL (or --id ID)")
    found = await store.people_with_email(email)
    if not found:
        raise PrivacyError(f"no person with the e-mail {email!r}; check the address")
    if len(found) > 1:
        ids = ", ".join(str(i) for i in found)
        raise PrivacyError(
            f"{len(found)} people have the e-mail {email!r} (ids {ids}); choose one with --id"
        )
    return found[0]


async def export(
    settings: Settings,
    email: str | None,
    person_id: int | None = None,
    clock: Clock | None = None,
) -> str:
    """The person's data as the JSON document ``mydata`` sends."""
    now = (clock or SystemClock()).now()

    async def work(store: Store) -> str:
        found = await _person(store, email, person_id)
        return to_json(document(found, await store.personal_data(found), now))

    return await _run(settings, work, commit=False)


async def forget(
    settings: Settings,
    email: str | None,
    person_id: int | None = None,
    dry_run: bool = False,
    clock: Clock | None = None,
) -> dict[str, int]:
    """Erase the person (or, ``dry_run``, count what would go); counts per table. Their
    buddies are told they left, as when the person writes ``forget`` in chat."""
    now = (clock or SystemClock()).now()

    async def work(store: Store) -> dict[str, int]:
        found = await _person(store, email, person_id)
        await buddy_left(store, found, now)
        return await store.forget_person(found)

    return await _run(settings, work, commit=not dry_run)


def parse_age(text: str) -> tuple[int, str]:
    """``90d``, ``6w``, ``12m``, ``1y`` -> (90, "d") ..."""
    found = _AGE.match(text)
    if found is None:
        raise PrivacyError(f"--older-than {text!r} is not an age; write it as 90d, 12m or 1y")
    amount, unit = int(found.group(1)), found.group(2).lower()
    if amount > _MOST[unit]:
        raise PrivacyError(f"--older-than {text.strip()!r} is more than 100 years; write less")
    return amount, unit


def after(day: date, amount: int, unit: str) -> date:
    """``day`` plus the age (months and years by the calendar: 31 Jan + 1m is 28/29 Feb)."""
    if unit == "d":
        return day + timedelta(days=amount)
    if unit == "w":
        return day + timedelta(weeks=amount)
    months = amount * (12 if unit == "y" else 1)
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


async def purge(
    settings: Settings,
    cohort_id: str,
    older_than: str,
    dry_run: bool = False,
    clock: Clock | None = None,
) -> dict[str, int]:
    """Erase a cohort's personal data once it ended at least ``older_than`` ago."""
    amount, unit = parse_age(older_than)
    today = (clock or SystemClock()).now().date()

    async def work(store: Store) -> dict[str, int]:
        known, ends_on = await store.cohort_ends_on(cohort_id)
        if not known:
            raise PrivacyError(f"no cohort {cohort_id!r} in the database; check --cohort")
        if ends_on is None:
            raise PrivacyError(
                f"cohort {cohort_id!r} has no last day in the database (its schedule has no "
                "dates), so Kompis cannot tell that it is over; nothing was purged"
            )
        allowed = after(ends_on, amount, unit) + timedelta(days=1)  # over: the day after
        if today < allowed:
            raise PrivacyError(
                f"cohort {cohort_id!r} ended on {ends_on.isoformat()}, less than "
                f"{older_than.strip()} ago; it can be purged from {allowed.isoformat()}"
            )
        return await store.purge_cohort(cohort_id)

    return await _run(settings, work, commit=not dry_run)
