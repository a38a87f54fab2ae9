"""The reflection bank's queries: entries with their author's organisation and moderation,
consents, comments, flags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.domain.bank import BankEntry, Comment
from bot.domain.people import Visibility
from bot.storage.base import StoreBase
from bot.storage.tables import (
    AnswerMessageRow,
    CompletionRow,
    MembershipRow,
    OrganisationRow,
    PersonRow,
    ReflectionRow,
)
from bot.storage.tables_bank import (
    BankCommentRow,
    BankFlagRow,
    BankModerationRow,
    ReflectionConsentRow,
)


class BankQueries(StoreBase):
    async def bank_entries(
        self, cohort_id: str, prefix: str = "", author_id: int | None = None
    ) -> list[BankEntry]:
        """A cohort's reflections (whose activity ref starts with ``prefix``; of one author),
        newest first. Who may read which is ``bank_access.may_read``'s decision."""
        query = select(ReflectionRow).where(ReflectionRow.cohort_id == cohort_id)
        if prefix:
            query = query.where(col(ReflectionRow.activity_ref).startswith(prefix))
        if author_id is not None:
            query = query.where(ReflectionRow.person_id == author_id)
        query = query.order_by(col(ReflectionRow.created_at).desc(), col(ReflectionRow.id).desc())
        return await self._entries((await self.session.exec(query)).all())

    async def bank_entry(self, reflection_id: int) -> BankEntry | None:
        rows = (
            await self.session.exec(select(ReflectionRow).where(ReflectionRow.id == reflection_id))
        ).all()
        found = await self._entries(rows)
        return found[0] if found else None

    async def reflection_id(self, person_id: int, activity_ref: str) -> int | None:
        return (
            await self.session.exec(
                select(ReflectionRow.id).where(
                    ReflectionRow.person_id == person_id,
                    ReflectionRow.activity_ref == activity_ref,
                )
            )
        ).first()

    async def _entries(self, rows: Sequence[ReflectionRow]) -> list[BankEntry]:
        if not rows:
            return []
        ids = [r.id for r in rows if r.id is not None]
        authors: set[Any] = {r.person_id for r in rows if r.person_id is not None}
        names = dict(
            (
                await self.session.exec(
                    select(PersonRow.id, PersonRow.name).where(col(PersonRow.id).in_(authors))
                )
            ).all()
        )
        orgs: dict[tuple[int, str], str] = {}
        found = await self.session.exec(
            select(MembershipRow.person_id, MembershipRow.cohort_id, OrganisationRow.key)
            .join(OrganisationRow, col(OrganisationRow.id) == col(MembershipRow.organisation_id))
            .where(col(MembershipRow.person_id).in_(authors))
        )
        for person_id, cohort_id, key in found.all():
            orgs[(person_id, cohort_id)] = key
        hidden: dict[int, BankModerationRow] = {}
        for action in await self.session.exec(
            select(BankModerationRow)
            .where(col(BankModerationRow.reflection_id).in_(ids))
            .order_by(col(BankModerationRow.id))
        ):
            hidden[action.reflection_id] = action  # the latest stands
        entries = []
        for r in rows:
            assert r.id is not None
            author: int | None = r.person_id
            mod = hidden.get(r.id)
            entries.append(
                BankEntry(
                    id=r.id,
                    author_id=author,
                    author_name=names.get(author) if author is not None else None,
                    cohort_id=r.cohort_id,
                    organisation=orgs.get((author, r.cohort_id)) if author is not None else None,
                    activity_ref=r.activity_ref,
                    text=r.text,
                    visibility=Visibility(r.visibility),
                    created_at=r.created_at,
                    updated_at=r.updated_at,
                    hidden=bool(mod and mod.hidden),
                    hidden_reason=mod.reason if mod and mod.hidden else None,
                )
            )
        return entries

    async def set_visibility(
        self, reflection_id: int, visibility: Visibility, now: datetime, source: str = "chosen"
    ) -> None:
        """Who may read the reflection from now on, kept with its time in the consent history."""
        await self.session.exec(
            update(ReflectionRow)
            .where(col(ReflectionRow.id) == reflection_id)
            .values(visibility=visibility.value)
        )
        self.session.add(
            ReflectionConsentRow(
                reflection_id=reflection_id,
                visibility=visibility.value,
                chosen_at=now,
                source=source,
            )
        )
        await self.session.flush()

    async def consents(self, reflection_id: int) -> list[tuple[Visibility, datetime, str]]:
        rows = await self.session.exec(
            select(ReflectionConsentRow)
            .where(ReflectionConsentRow.reflection_id == reflection_id)
            .order_by(col(ReflectionConsentRow.id))
        )
        return [(Visibility(r.visibility), r.chosen_at, r.source) for r in rows]

    async def delete_reflection(self, reflection_id: int) -> None:
        """The answer is gone: with its consents, comments, flags and moderation (cascade),
        and the task is open again."""
        row = (
            await self.session.exec(select(ReflectionRow).where(ReflectionRow.id == reflection_id))
        ).first()
        if row is None:
            return
        if row.person_id is not None:
            # the task is open again, and an edit of the message that gave the answer
            # (Telegram) no longer brings it back
            for done in (CompletionRow, AnswerMessageRow):
                await self.session.exec(
                    delete(done).where(
                        col(done.person_id) == row.person_id,
                        col(done.activity_ref) == row.activity_ref,
                    )
                )
        for table in (ReflectionConsentRow, BankCommentRow, BankFlagRow, BankModerationRow):
            await self.session.exec(delete(table).where(col(table.reflection_id) == reflection_id))
        await self.session.exec(delete(ReflectionRow).where(col(ReflectionRow.id) == reflection_id))

    async def add_comment(
        self, reflection_id: int, person_id: int, text: str, now: datetime
    ) -> int:
        row = BankCommentRow(
            reflection_id=reflection_id, person_id=person_id, text=text, created_at=now
        )
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        return row.id

    async def comments(self, reflection_ids: Iterable[int]) -> dict[int, list[Comment]]:
        """The threads under these reflections, oldest comment first."""
        ids = list(reflection_ids)
        threads: dict[int, list[Comment]] = {i: [] for i in ids}
        if not ids:
            return threads
        rows = await self.session.exec(
            select(BankCommentRow, PersonRow.name)
            .join(PersonRow, col(PersonRow.id) == col(BankCommentRow.person_id))
            .where(col(BankCommentRow.reflection_id).in_(ids))
            .order_by(col(BankCommentRow.created_at), col(BankCommentRow.id))
        )
        for row, name in rows.all():
            assert row.id is not None
            threads[row.reflection_id].append(
                Comment(row.id, row.reflection_id, row.person_id, name, row.text, row.created_at)
            )
        return threads

    async def add_flag(self, reflection_id: int, person_id: int, now: datetime) -> bool:
        """False if this person had flagged it already."""
        found = (
            await self.session.exec(
                select(BankFlagRow.id).where(
                    BankFlagRow.reflection_id == reflection_id, BankFlagRow.person_id == person_id
                )
            )
        ).first()
        if found is not None:
            return False
        self.session.add(
            BankFlagRow(reflection_id=reflection_id, person_id=person_id, created_at=now)
        )
        await self.session.flush()
        return True

    async def moderate(
        self,
        reflection_id: int,
        hidden: bool,
        reason: str,
        now: datetime,
        person_id: int | None = None,
    ) -> None:
        self.session.add(
            BankModerationRow(
                reflection_id=reflection_id,
                hidden=hidden,
                reason=reason,
                person_id=person_id,
                at=now,
            )
        )
        await self.session.flush()
