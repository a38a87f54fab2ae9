"""The buddy relay: messages between learning buddies, where each copy went, and check-ins.

A message belongs to one buddy group (``pair_id``) and has one sender; each copy Kompis
sends (to a buddy, or the "sent" note back to the sender) is a delivery row naming the
outbox key, so a reply to that copy on any platform finds its thread again. Every column
naming a person is a foreign key to ``person``: erasing a person deletes what they wrote,
the copies they received and their check-in answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class BuddyMessageRow(SQLModel, table=True):
    __tablename__ = "buddy_message"
    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="buddy_pair.id", index=True, ondelete="CASCADE")
    sender_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    #: the first message of the thread this one continues; None: it starts one
    thread_id: int | None = Field(
        default=None, foreign_key="buddy_message.id", index=True, ondelete="SET NULL"
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class BuddyDeliveryRow(SQLModel, table=True):
    __tablename__ = "buddy_delivery"
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="buddy_message.id", index=True, ondelete="CASCADE")
    recipient_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    outbox_key: str = Field(unique=True, max_length=255)
    #: when the sender was told this copy could not be delivered
    notified_at: datetime | None = None


class BuddyCheckinRow(SQLModel, table=True):
    """One "did you talk?" to one member of a quiet group in one stage, and the answer."""

    __tablename__ = "buddy_checkin"
    __table_args__ = (UniqueConstraint("pair_id", "person_id", "stage_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="buddy_pair.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    stage_ref: str = Field(max_length=200)  # module/stage
    asked_at: datetime
    answer: str | None = Field(default=None, max_length=16)  # yes, not_yet, no_time, new_buddy
    answered_at: datetime | None = None
