"""People, roles and what Kompis knows of them, as the features see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
    id: int
    name: str
    cohort_id: str
    organisation: str | None  # the organisation's slug in the cohort schedule
    roles: frozenset[Role]
    locale: str | None = None  # chosen or negotiated; None means the cohort's default
    email: str | None = None
    paused_until: datetime | None = None
    snoozed_until: datetime | None = None
    pending_activity: str | None = None  # the reflection prompt their next message answers
    labs: tuple[str, ...] = field(default_factory=tuple)
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
