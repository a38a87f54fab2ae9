"""Who was left out of a round of learning buddies, and why, until they are told.

A ``buddy_left_out`` row is written (insert-ignore, so several processes agree) when a round
is made or topped up without the person: paused for the whole round, unreachable, taken out
by an organiser, or no possible buddy. ``told_at`` is set when Kompis has told them why, once
the reason no longer holds (or at once, for no match).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class BuddyLeftOutRow(SQLModel, table=True):
    __tablename__ = "buddy_left_out"
    __table_args__ = (UniqueConstraint("cohort_id", "round", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", max_length=64)
    round: int
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=32)  # a LeftOut value
    since: datetime
    told_at: datetime | None = Field(default=None, index=True)
