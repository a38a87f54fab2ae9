"""Rounds of learning buddies and who opted out of having one.

A ``buddy_round`` row is written once per cohort and round, before its groups: whoever writes
it first (the planner on the round's date, or an organiser's ``kompis buddies pair``) makes
the round, so two processes never pair one round twice. ``buddy_opt_out`` lists people left
out of pairing in a cohort: by their own wish or an organiser's ``unpair``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class BuddyRoundRow(SQLModel, table=True):
    __tablename__ = "buddy_round"
    __table_args__ = (UniqueConstraint("cohort_id", "round"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", max_length=64)
    round: int
    seed: int  # the pairing's seed, so the round can be explained and reproduced
    created_at: datetime


class BuddyOptOutRow(SQLModel, table=True):
    __tablename__ = "buddy_opt_out"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    since: datetime
    reason: str = Field(max_length=32)  # self, unpaired
