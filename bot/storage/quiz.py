"""Quiz takes: start, answer (counted once), finish, and read back for scores and reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from bot.domain.quiz import Answer, Attempt, Scores, decode, encode
from bot.storage.base import StoreBase
from bot.storage.tables_quiz import QuizAnswerRow, QuizAttemptRow


def _attempt(row: QuizAttemptRow) -> Attempt:
    assert row.id is not None
    return Attempt(
        id=row.id,
        person_id=row.person_id,
        ref=row.activity_ref,
        number=row.number,
        position=row.position,
        score=row.score,
        total=row.total,
        started_at=row.started_at,
        finished_at=row.finished_at,
        picked=decode(row.picked),
        asked_key=row.asked_key,
    )


def _answer(row: QuizAnswerRow) -> Answer:
    return Answer(row.attempt_id, row.person_id, row.question_id, decode(row.chosen), row.right)


class QuizQueries(StoreBase):
    async def latest_quiz_attempt(self, person_id: int, ref: str) -> Attempt | None:
        query = (
            select(QuizAttemptRow)
            .where(QuizAttemptRow.person_id == person_id, QuizAttemptRow.activity_ref == ref)
            .order_by(col(QuizAttemptRow.number).desc())
        )
        row = (await self.session.exec(query)).first()
        return _attempt(row) if row else None

    async def quiz_attempt(self, attempt_id: int) -> Attempt | None:
        row = await self.session.get(QuizAttemptRow, attempt_id)
        return _attempt(row) if row else None

    async def start_quiz_attempt(
        self, person_id: int, ref: str, total: int, now: datetime
    ) -> Attempt:
        """A new take (the first, or a retake numbered after the latest)."""
        latest = await self.latest_quiz_attempt(person_id, ref)
        row = QuizAttemptRow(
            person_id=person_id,
            activity_ref=ref,
            number=latest.number + 1 if latest else 1,
            total=total,
            started_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return _attempt(row)

    async def answer_quiz(
        self,
        attempt: Attempt,
        question_id: str,
        chosen: Iterable[int],
        right: bool,
        now: datetime,
    ) -> bool:
        """Count an answer to the attempt's current question: False (and nothing written)
        when that question was answered meanwhile or the attempt is finished."""
        moved = await self.session.exec(
            update(QuizAttemptRow)
            .where(
                col(QuizAttemptRow.id) == attempt.id,
                col(QuizAttemptRow.position) == attempt.position,
                col(QuizAttemptRow.finished_at).is_(None),
            )
            .values(
                position=QuizAttemptRow.position + 1,
                score=QuizAttemptRow.score + (1 if right else 0),
                picked="",
            )
        )
        if moved.rowcount != 1:
            return False
        values: dict[str, Any] = {
            "attempt_id": attempt.id,
            "person_id": attempt.person_id,
            "question_id": question_id,
            "chosen": encode(chosen),
            "right": right,
            "answered_at": now,
        }
        return await self._insert_ignore(QuizAnswerRow, values) == 1

    async def set_quiz_state(
        self,
        attempt_id: int,
        *,
        picked: Iterable[int] | None = None,
        asked_key: str | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {}
        if picked is not None:
            values["picked"] = encode(picked)
        if asked_key is not None:
            values["asked_key"] = asked_key
        if finished_at is not None:
            values["finished_at"] = finished_at
        if values:
            await self.session.exec(
                update(QuizAttemptRow).where(col(QuizAttemptRow.id) == attempt_id).values(values)
            )

    async def quiz_answers(self, attempt_ids: Iterable[int]) -> list[Answer]:
        ids = list(attempt_ids)
        if not ids:
            return []
        rows = await self.session.exec(
            select(QuizAnswerRow)
            .where(col(QuizAnswerRow.attempt_id).in_(ids))
            .order_by(col(QuizAnswerRow.id))
        )
        return [_answer(row) for row in rows]

    async def quiz_attempts(
        self, person_ids: Iterable[int], ref: str | None = None
    ) -> list[Attempt]:
        """Every take by these people (of one quiz, when ``ref`` is given), oldest first."""
        ids = list(person_ids)
        if not ids:
            return []
        query = select(QuizAttemptRow).where(col(QuizAttemptRow.person_id).in_(ids))
        if ref is not None:
            query = query.where(QuizAttemptRow.activity_ref == ref)
        rows = await self.session.exec(query.order_by(col(QuizAttemptRow.id)))
        return [_attempt(row) for row in rows]

    async def quiz_scores(self, person_id: int, ref: str) -> Scores | None:
        """Best and latest finished score of one quiz; None before the first finish."""
        rows = list(
            (
                await self.session.exec(
                    select(QuizAttemptRow)
                    .where(
                        QuizAttemptRow.person_id == person_id,
                        QuizAttemptRow.activity_ref == ref,
                        col(QuizAttemptRow.finished_at).is_not(None),
                    )
                    .order_by(col(QuizAttemptRow.number))
                )
            ).all()
        )
        if not rows:
            return None
        return Scores(max(r.score for r in rows), rows[-1].score, rows[-1].total, len(rows))

    async def quiz_takers(self, person_ids: Iterable[int], ref: str) -> int:
        """How many of these people finished the quiz at least once."""
        ids = list(person_ids)
        if not ids:
            return 0
        query = select(func.count(func.distinct(QuizAttemptRow.person_id))).where(
            col(QuizAttemptRow.person_id).in_(ids),
            QuizAttemptRow.activity_ref == ref,
            col(QuizAttemptRow.finished_at).is_not(None),
        )
        return int((await self.session.exec(query)).one())
