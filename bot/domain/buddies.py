"""A group of learning buddies (lärkompisar): two people, or three when a cohort is odd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BuddyGroup:
    id: int
    cohort_id: str
    round: int
    members: tuple[int, ...]  # person ids, ascending
    created_at: datetime
    ended_at: datetime | None = None
    ended_reason: str | None = None

    @property
    def open(self) -> bool:
        return self.ended_at is None
