"""What leadership-team work needs of storage beyond the features' port (bot.storage.Store
implements it; a store without it falls back to reading the cohort)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from bot.domain.ports import StorePort


@runtime_checkable
class TeamPort(StorePort, Protocol):
    async def team_completions(
        self, cohort_id: str, organisation: str, refs: Iterable[str]
    ) -> list[tuple[int, str, str]]: ...
