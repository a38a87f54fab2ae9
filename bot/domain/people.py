"""People, roles and what Kompis knows of them, as the features see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class Role(StrEnum):
    PARTICIPANT = "participant"
    COORDINATOR = "coordinator"
    ORGANISER = "organiser"


class Visibility(StrEnum):
    """Who may read a reflection."""

    PRIVATE = "private"  # only me
    BUDDY = "buddy"  # me and my learning buddy
    COHORT = "cohort"  # the cohort, with my name
    ANONYMOUS = "anonymous"  # the cohort, without my name


@dataclass(frozen=True)
class Person:
    """A person as seen in one cohort (``cohort_id``): their organisation and roles are the
    ones they have there. ``cohort_ids`` lists every cohort they belong to, joined first
    first."""

    id: int
    name: str
    cohort_id: str
    organisation: str | None  # the organisation's slug in the cohort schedule
    roles: frozenset[Role]
    locale: str | None = None  # chosen or negotiated; None means the cohort's default
    email: str | None = None
    paused_until: datetime | None = None
    snoozed_until: datetime | None = None
    labs: tuple[str, ...] = field(default_factory=tuple)
    cohort_ids: tuple[str, ...] = field(default_factory=tuple)
    timezone: str | None = None  # their own IANA zone for send times; None: the cohort's

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Unreachable:
    """A person none of whose identities Kompis can send to, and the latest reason why."""

    person_id: int
    name: str
    organisation: str | None
    platform: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class Membership:
    """A person in one cohort, with the organisation and roles they have there."""

    cohort_id: str
    organisation: str | None
    roles: frozenset[Role]
    joined_at: datetime
    timezone: str = "UTC"  # the cohort's, for what "today" is there
    starts_on: date | None = None  # the cohort's schedule: first and last day
    ends_on: date | None = None

    def runs_at(self, moment: datetime) -> bool:
        if self.starts_on is None or self.ends_on is None:
            return False
        return self.starts_on <= moment.astimezone(ZoneInfo(self.timezone)).date() <= self.ends_on


def current_membership(
    memberships: Sequence[Membership], now: datetime | None = None
) -> Membership | None:
    """The cohort a person is in when no cohort is named: among the cohorts whose schedule
    runs at ``now``, the one they joined last; when none runs (or ``now`` is not given),
    simply the one they joined last. Of two joined at the same moment, the later in
    ``memberships`` counts as joined last. So pulje 2, imported while pulje 1 still runs,
    takes over when pulje 2 begins (or pulje 1 has ended), not on the day of the import."""
    latest_first = [
        m
        for _, m in sorted(
            enumerate(memberships), key=lambda pair: (pair[1].joined_at, pair[0]), reverse=True
        )
    ]
    if now is not None:
        running = [m for m in latest_first if m.runs_at(now)]
        if running:
            return running[0]
    return latest_first[0] if latest_first else None


@dataclass(frozen=True)
class Channel:
    """One of a person's platform accounts, as the ``channel`` command shows it: Kompis
    writes to the chosen one while it is reachable (else the most recently used)."""

    identity_id: int
    platform: str
    chosen: bool
    reachable: bool
