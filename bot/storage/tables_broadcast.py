"""Broadcasts: an organiser's message to part of a cohort, and one row per recipient.

A recipient row ties the person to the outbox rows of their copy (``message_key``: the row
whose platform message shows the broadcast now, so an RSVP or a correction edits it;
``ics_key``: the calendar file) and holds their RSVP. Message texts are organisers' words,
never a person's data; the sender is a foreign key (the broadcast survives them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class BroadcastRow(SQLModel, table=True):
    __tablename__ = "broadcast"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    targets: str = Field(max_length=500)  # as `--to` takes it, normalised
    message: str = Field(sa_column=Column(Text, nullable=False))  # JSON BroadcastMessage
    state: str = Field(default="scheduled", max_length=16)
    send_at: datetime
    created_at: datetime
    rsvp: bool = False
    gathering: str | None = Field(default=None, max_length=130)  # MODULE/GROUP of the .ics
    #: until when RSVPs are taken (the gathering's start); None: as long as it runs
    answers_until: datetime | None = None
    respect_quiet_hours: bool = False
    version: int = 1  # 1 + corrections
    ics_sequence: int = 0  # the .ics SEQUENCE of the current version
    source: str = Field(default="cli", max_length=8)  # cli or chat
    sender_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    cancelled_at: datetime | None = None


class BroadcastRecipientRow(SQLModel, table=True):
    __tablename__ = "broadcast_recipient"
    __table_args__ = (UniqueConstraint("broadcast_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    message_key: str = Field(max_length=255)
    ics_key: str | None = Field(default=None, max_length=255)
    answer: str | None = Field(default=None, max_length=16)
    answered_at: datetime | None = None
