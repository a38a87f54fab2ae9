"""The reflection bank as the features see it: entries (shared reflections) and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.bank_access import Entry
from bot.domain.people import Visibility


@dataclass(frozen=True)
class BankEntry:
    """A reflection with what the bank shows of it. ``author_name`` is None when the author
    was erased; whether it may be shown at all is ``bank_access.shows_author``'s decision."""

    id: int
    author_id: int | None
    author_name: str | None
    cohort_id: str
    organisation: str | None
    activity_ref: str
    text: str
    visibility: Visibility
    created_at: datetime
    updated_at: datetime
    hidden: bool = False
    hidden_reason: str | None = None

    @property
    def access(self) -> Entry:
        return Entry(
            self.id,
            self.author_id,
            self.cohort_id,
            self.organisation,
            self.visibility,
            self.hidden,
        )

    @property
    def module(self) -> str:
        return self.activity_ref.split("/", 1)[0]


@dataclass(frozen=True)
class Comment:
    id: int
    reflection_id: int
    person_id: int
    author_name: str
    text: str
    created_at: datetime
