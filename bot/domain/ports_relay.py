"""What the buddy relay needs from storage beyond the buddy groups (bot.storage.relay)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from bot.domain.buddies import BuddyGroup
from bot.domain.messages import Address
from bot.domain.people import Person
from bot.domain.ports import BuddyPort
from bot.domain.relay import Checkin, RelayedCopy, Undelivered


class RelayPort(BuddyPort, Protocol):
    async def save_buddy_message(
        self, pair_id: int, sender_id: int, text: str, thread_id: int | None, now: datetime
    ) -> int: ...

    async def add_buddy_delivery(
        self, message_id: int, recipient_id: int, outbox_key: str
    ) -> None: ...

    async def buddy_message_group(self, message_id: int) -> int | None: ...

    async def thread_roots(self, thread_id: int) -> dict[int, str]: ...

    async def copy_replied_to(
        self, person_id: int, address: Address, platform_message_id: str
    ) -> RelayedCopy | None: ...

    async def buddy_message_stats(
        self, pair_ids: Iterable[int], since: datetime | None = None
    ) -> dict[int, tuple[int, datetime | None]]: ...

    async def undelivered_copies(self) -> list[Undelivered]: ...

    async def mark_copies_notified(self, delivery_ids: Iterable[int], now: datetime) -> None: ...

    async def open_groups_of(self, person_id: int) -> list[BuddyGroup]: ...

    async def forget_copies_from(self, person_id: int) -> int: ...

    async def checkins_asked(self, pair_ids: Iterable[int], stage_ref: str) -> set[int]: ...

    async def add_checkins(
        self, members: Iterable[tuple[int, int]], stage_ref: str, now: datetime
    ) -> dict[tuple[int, int], int]: ...

    async def people(self, person_ids: Iterable[int]) -> dict[int, Person]: ...

    async def answer_checkin(
        self, checkin_id: int, person_id: int, answer: str, now: datetime
    ) -> Checkin | None: ...

    async def checkins(self, pair_ids: Iterable[int]) -> list[Checkin]: ...

    async def identities(self, person_id: int) -> list[Any]: ...

    async def sent_params(
        self, person_id: int, template: str, address: Address, message_id: str
    ) -> dict[str, Any] | None: ...
