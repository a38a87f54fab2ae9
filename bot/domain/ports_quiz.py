"""What the quiz feature needs beyond the features' port: its takes and answers
(``bot.storage.quiz`` implements it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from bot.domain.ports import StorePort
from bot.domain.quiz import Answer, Attempt, Scores


class QuizPort(StorePort, Protocol):
    async def latest_quiz_attempt(self, person_id: int, ref: str) -> Attempt | None: ...

    async def quiz_attempt(self, attempt_id: int) -> Attempt | None: ...

    async def start_quiz_attempt(
        self, person_id: int, ref: str, total: int, now: datetime
    ) -> Attempt: ...

    async def answer_quiz(
        self,
        attempt: Attempt,
        question_id: str,
        chosen: Iterable[int],
        right: bool,
        now: datetime,
    ) -> bool: ...

    async def set_quiz_state(
        self,
        attempt_id: int,
        *,
        picked: Iterable[int] | None = None,
        asked_key: str | None = None,
        finished_at: datetime | None = None,
    ) -> None: ...

    async def quiz_answers(self, attempt_ids: Iterable[int]) -> list[Answer]: ...

    async def quiz_attempts(
        self, person_ids: Iterable[int], ref: str | None = None
    ) -> list[Attempt]: ...

    async def quiz_scores(self, person_id: int, ref: str) -> Scores | None: ...

    async def quiz_takers(self, person_ids: Iterable[int], ref: str) -> int: ...
