"""The send budget shared by every delivery process on PostgreSQL: one row per budget (a
platform's overall rate, or a Slack workspace's), holding the moment the next send may go
out (seconds on the database's clock). Reserving a send moves it on by one interval, so the
processes together never send faster than the budget, however many there are."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class SendBudgetRow(SQLModel, table=True):
    __tablename__ = "send_budget"
    key: str = Field(primary_key=True, max_length=160)  # "<platform>:<workspace>"
    next_at: float = 0.0  # epoch seconds (database clock) of the next free send slot
