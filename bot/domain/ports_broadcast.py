"""What broadcasts need of storage beyond the features' port (bot.storage.broadcasts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.broadcast_records import Broadcast, Delivery, Recipient
from bot.domain.people import Person
from bot.domain.ports import StorePort


class BroadcastPort(StorePort, Protocol):
    async def add_broadcast(self, message: dict[str, Any], **values: Any) -> int: ...

    async def add_recipients(
        self, broadcast_id: int, rows: Iterable[tuple[int, str, str | None]]
    ) -> None: ...

    async def broadcast(self, broadcast_id: int) -> Broadcast | None: ...

    async def broadcasts(self, cohort_id: str) -> list[Broadcast]: ...

    async def broadcast_recipients(self, broadcast_id: int) -> list[Recipient]: ...

    async def broadcast_recipient(self, broadcast_id: int, person_id: int) -> Recipient | None: ...

    async def broadcast_copy(
        self, broadcast_id: int, person_id: int
    ) -> tuple[Broadcast, Recipient] | None: ...

    async def update_recipient(self, broadcast_id: int, person_id: int, **values: Any) -> None: ...

    async def cancel_broadcast(
        self, broadcast_id: int, keys: Sequence[str], now: datetime
    ) -> int: ...

    async def correct_broadcast(
        self, broadcast_id: int, message: dict[str, Any], ics_sequence: int
    ) -> int: ...

    async def last_ics_sequence(self, cohort_id: str, gathering: str) -> int | None: ...

    async def deliveries(self, keys: Iterable[str]) -> dict[str, Delivery]: ...

    async def identities_of(self, person_ids: Iterable[int]) -> dict[int, list[Any]]: ...

    async def people(self, person_ids: Iterable[int]) -> dict[int, Person]: ...

    async def finish(
        self, outbox_id: int, status: str, now: datetime, error: str | None = None
    ) -> bool: ...
