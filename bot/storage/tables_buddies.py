"""Learning buddies (lärkompis): the pairs (and trios) of a cohort, round by round.

A pair row is one group of two or three people in one round; ``ended_at`` is set when the
group ends before the programme does (a member left or was forgotten, an organiser swapped
someone out). ``past`` groups of a cohort are never repeated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class BuddyPairRow(SQLModel, table=True):
    __tablename__ = "buddy_pair"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    round: int = Field(default=1)  # 1 for a programme-long round; the module's number else
    created_at: datetime
    ended_at: datetime | None = None
    ended_reason: str | None = Field(default=None, max_length=64)  # left, forgotten, swapped


class BuddyMemberRow(SQLModel, table=True):
    __tablename__ = "buddy_member"
    __table_args__ = (UniqueConstraint("pair_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="buddy_pair.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
