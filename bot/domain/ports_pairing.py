"""What pairing rounds need from storage, beyond the buddy groups themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.people import Person
from bot.domain.ports import BuddyPort


@dataclass(frozen=True)
class LeftOutRecord:
    """A person left out of a round, not told yet."""

    round: int
    person_id: int
    reason: str  # a LeftOut value


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

    async def record_left_out(
        self,
        cohort_id: str,
        round_: int,
        reasons: dict[int, str],
        now: datetime,
        told: Iterable[int] = (),
    ) -> int: ...

    async def pending_left_out(self, cohort_id: str) -> list[LeftOutRecord]: ...

    async def mark_left_out_told(self, cohort_id: str, person_id: int, now: datetime) -> int: ...

    async def person_by_email(self, email: str, cohort_id: str | None = None) -> Person | None: ...
