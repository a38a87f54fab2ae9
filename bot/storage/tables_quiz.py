"""Quiz takes: one attempt row per take of a quiz by a person, one answer row per question
answered in it. ``position`` and ``score`` on the attempt move together with the answer row
(one conditional update), so a double press or a stale button never counts twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class QuizAttemptRow(SQLModel, table=True):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("person_id", "activity_ref", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    activity_ref: str = Field(max_length=80, index=True)
    number: int = Field(default=1)  # 1 for the first take
    position: int = Field(default=0)  # the next question to answer
    score: int = Field(default=0)
    total: int
    picked: str = Field(default="", max_length=64)  # multiple choice so far: "0,2"
    asked_key: str | None = Field(default=None, max_length=160)
    started_at: datetime
    finished_at: datetime | None = None


class QuizAnswerRow(SQLModel, table=True):
    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)
    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="quiz_attempt.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    question_id: str = Field(max_length=32)
    chosen: str = Field(max_length=64)  # options from 0: "1" or "0,2"
    right: bool
    answered_at: datetime
