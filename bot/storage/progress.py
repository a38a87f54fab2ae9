"""What people did: completions, reflections, self-assessments, lab choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from bot.domain.people import Person, Visibility
from bot.storage.base import StoreBase
from bot.storage.tables import (
    CompletionRow,
    LabChoiceRow,
    ReflectionRow,
    SurveyAnswerRow,
)


@dataclass(frozen=True)
class Reflection:
    person_id: int
    activity_ref: str
    text: str
    visibility: Visibility
    updated_at: datetime


class ProgressQueries(StoreBase):
    """Completions, reflections, survey answers and lab choices."""

    async def choose_lab(self, person_id: int, lab_id: str, now: datetime) -> bool:
        """Add a lab to a person's choices; False if it was already chosen."""
        values = {"person_id": person_id, "lab_id": lab_id, "chosen_at": now}
        return await self._insert_ignore(LabChoiceRow, values) > 0

    async def drop_lab(self, person_id: int, lab_id: str) -> bool:
        """Remove a lab from a person's choices; False if it was not chosen."""
        result = await self.session.exec(
            delete(LabChoiceRow).where(
                col(LabChoiceRow.person_id) == person_id, col(LabChoiceRow.lab_id) == lab_id
            )
        )
        return bool(result.rowcount)

    async def save_survey(
        self, person: Person, activity_ref: str, value: int, now: datetime
    ) -> None:
        """Store (or change) a self-assessment answer."""
        row = (
            await self.session.exec(
                select(SurveyAnswerRow).where(
                    SurveyAnswerRow.person_id == person.id,
                    SurveyAnswerRow.activity_ref == activity_ref,
                )
            )
        ).first() or SurveyAnswerRow(
            person_id=person.id,
            cohort_id=person.cohort_id,
            activity_ref=activity_ref,
            value=value,
            answered_at=now,
        )
        row.value, row.answered_at = value, now
        self.session.add(row)
        await self.session.flush()

    async def survey_answers(self, person_id: int) -> dict[str, int]:
        rows = (
            await self.session.exec(
                select(SurveyAnswerRow).where(SurveyAnswerRow.person_id == person_id)
            )
        ).all()
        return {r.activity_ref: r.value for r in rows}

    async def mark_done(
        self, person_id: int, activity_ref: str, source: str, now: datetime
    ) -> bool:
        """Record an activity as completed; False if it already was."""
        values = {
            "person_id": person_id,
            "activity_ref": activity_ref,
            "source": source,
            "completed_at": now,
        }
        return await self._insert_ignore(CompletionRow, values) > 0

    async def completed(self, person_ids: Iterable[int]) -> dict[int, set[str]]:
        ids = list(person_ids)
        done: dict[int, set[str]] = {pid: set() for pid in ids}
        if not ids:
            return done
        rows = (
            await self.session.exec(
                select(CompletionRow).where(col(CompletionRow.person_id).in_(ids))
            )
        ).all()
        for row in rows:
            done[row.person_id].add(row.activity_ref)
        return done

    async def save_reflection(
        self,
        person: Person,
        activity_ref: str,
        text: str,
        now: datetime,
        visibility: Visibility | None = None,
    ) -> bool:
        """Store or replace an answer; True if it was new, False if it replaced one."""
        row = (
            await self.session.exec(
                select(ReflectionRow).where(
                    ReflectionRow.person_id == person.id, ReflectionRow.activity_ref == activity_ref
                )
            )
        ).first()
        created = row is None
        if row is None:
            row = ReflectionRow(
                person_id=person.id,
                cohort_id=person.cohort_id,
                activity_ref=activity_ref,
                text=text,
                visibility=(visibility or Visibility.PRIVATE).value,
                created_at=now,
                updated_at=now,
            )
        else:
            row.text, row.updated_at = text, now
            if visibility is not None:
                row.visibility = visibility.value
        self.session.add(row)
        await self.session.flush()
        return created

    async def reflections(self, person_id: int) -> list[Reflection]:
        rows = (
            await self.session.exec(
                select(ReflectionRow)
                .where(ReflectionRow.person_id == person_id)
                .order_by(col(ReflectionRow.created_at))
            )
        ).all()
        return [
            Reflection(person_id, r.activity_ref, r.text, Visibility(r.visibility), r.updated_at)
            for r in rows
        ]
