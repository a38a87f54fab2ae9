"""What the reflection bank needs of storage (``bot.storage.bank.BankQueries`` has it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from bot.domain.bank import BankEntry, Comment
from bot.domain.people import Person, Visibility
from bot.domain.ports import BuddyPort


class BankPort(BuddyPort, Protocol):
    async def bank_entries(
        self, cohort_id: str, prefix: str = "", author_id: int | None = None
    ) -> list[BankEntry]: ...

    async def bank_entry(self, reflection_id: int) -> BankEntry | None: ...

    async def reflection_id(self, person_id: int, activity_ref: str) -> int | None: ...

    async def set_visibility(
        self, reflection_id: int, visibility: Visibility, now: datetime, source: str = "chosen"
    ) -> None: ...

    async def delete_reflection(self, reflection_id: int) -> None: ...

    async def add_comment(
        self, reflection_id: int, person_id: int, text: str, now: datetime
    ) -> int: ...

    async def comments(self, reflection_ids: Iterable[int]) -> dict[int, list[Comment]]: ...

    async def add_flag(self, reflection_id: int, person_id: int, now: datetime) -> bool: ...

    async def moderate(
        self,
        reflection_id: int,
        hidden: bool,
        reason: str,
        now: datetime,
        person_id: int | None = None,
    ) -> None: ...

    async def people_in_cohort(self, cohort_id: str) -> list[Person]: ...
