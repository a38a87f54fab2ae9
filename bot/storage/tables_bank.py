"""The reflection bank: consents (who may read an answer, with their history), digilog
comments, flags and moderation.

A consent names no person: the reflection does, so erasing the author (or, for an anonymous
entry, only their name) is decided on the reflection. Comments and flags name the person who
wrote them, by foreign key, so privacy export and erasure find them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class ReflectionConsentRow(SQLModel, table=True):
    """Every choice of who may read a reflection, with its time; the latest is in force (and
    copied to ``reflection.visibility``, which every reader uses)."""

    __tablename__ = "reflection_consent"
    id: int | None = Field(default=None, primary_key=True)
    reflection_id: int = Field(foreign_key="reflection.id", index=True, ondelete="CASCADE")
    visibility: str = Field(max_length=16)
    chosen_at: datetime
    #: "default" (the cohort's bank_default when the answer was saved) or "chosen"
    source: str = Field(max_length=16)


class BankCommentRow(SQLModel, table=True):
    """A digilog comment under a reflection; it is read by whoever may read the reflection."""

    __tablename__ = "bank_comment"
    id: int | None = Field(default=None, primary_key=True)
    reflection_id: int = Field(foreign_key="reflection.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class BankFlagRow(SQLModel, table=True):
    """A reader marked a reflection as inappropriate; organisers are told."""

    __tablename__ = "bank_flag"
    id: int | None = Field(default=None, primary_key=True)
    reflection_id: int = Field(foreign_key="reflection.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    created_at: datetime


class BankModerationRow(SQLModel, table=True):
    """An organiser hid or unhid a reflection, and why; the latest row is in force.
    ``person_id`` is the organiser from chat (None from the command line, or once erased)."""

    __tablename__ = "bank_moderation"
    id: int | None = Field(default=None, primary_key=True)
    reflection_id: int = Field(foreign_key="reflection.id", index=True, ondelete="CASCADE")
    hidden: bool
    reason: str = Field(sa_column=Column(Text, nullable=False))
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    at: datetime
