"""The storage port of the privacy features (``mydata``, ``forget``)."""

from __future__ import annotations

from typing import Any, Protocol

from bot.domain.ports import StorePort


class PrivacyPort(StorePort, Protocol):
    async def personal_data(self, person_id: int) -> dict[str, list[dict[str, Any]]]: ...

    async def forget_person(self, person_id: int) -> dict[str, int]: ...
