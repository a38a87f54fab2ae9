"""What pairing rounds need from storage, beyond the buddy groups themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.people import Person
from bot.domain.ports import BuddyPort


class PairingPort(BuddyPort, Protocol):
    async def claim_buddy_round(
        self, cohort_id: str, round_: int, seed: int, now: datetime
    ) -> bool: ...

    async def buddy_rounds_made(self, cohort_id: str) -> dict[int, int]: ...

    async def add_buddy_member(self, group_id: int, person_id: int) -> None: ...

    async def buddy_opt_outs(self, cohort_id: str) -> dict[int, str]: ...

    async def set_buddy_opt_out(
        self, cohort_id: str, person_id: int, out: bool, now: datetime, reason: str = "self"
    ) -> bool: ...

    async def people_with_identity(self, cohort_id: str) -> set[int]: ...

    async def person_by_email(self, email: str, cohort_id: str | None = None) -> Person | None: ...
