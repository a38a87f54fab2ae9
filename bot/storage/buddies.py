"""Buddy groups of a cohort: save a round, find a person's buddies, end a group."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import col, select

from bot.domain.buddies import BuddyGroup
from bot.storage.base import StoreBase
from bot.storage.tables_buddies import BuddyMemberRow, BuddyPairRow


class BuddyQueries(StoreBase):
    async def save_buddy_groups(
        self, cohort_id: str, round_: int, groups: Iterable[Iterable[int]], now: datetime
    ) -> list[BuddyGroup]:
        """Add groups (pairs or trios) to a round; returns them with their ids. A whole round
        is two multi-row INSERTs, not a statement per group."""
        people = [tuple(sorted(set(members))) for members in groups]
        if not people:
            return []
        pairs = BuddyPairRow.metadata.tables["buddy_pair"]
        stmt = insert(pairs).returning(pairs.c.id, sort_by_parameter_order=True)
        values = [{"cohort_id": cohort_id, "round": round_, "created_at": now} for _ in people]
        ids = [row[0] for row in (await self.session.exec(stmt, params=values)).all()]
        members = BuddyMemberRow.metadata.tables["buddy_member"]
        await self.session.exec(
            insert(members),
            params=[
                {"pair_id": pair_id, "person_id": person_id}
                for pair_id, group in zip(ids, people, strict=True)
                for person_id in group
            ],
        )
        return [
            BuddyGroup(pair_id, cohort_id, round_, group, now)
            for pair_id, group in zip(ids, people, strict=True)
        ]

    async def buddy_groups(
        self, cohort_id: str, round_: int | None = None, open_only: bool = False
    ) -> list[BuddyGroup]:
        """A cohort's groups (of one round, or all), oldest first."""
        query = select(BuddyPairRow).where(BuddyPairRow.cohort_id == cohort_id)
        if round_ is not None:
            query = query.where(BuddyPairRow.round == round_)
        if open_only:
            query = query.where(col(BuddyPairRow.ended_at).is_(None))
        pairs = list((await self.session.exec(query.order_by(col(BuddyPairRow.id)))).all())
        members: dict[int, list[int]] = {pair.id: [] for pair in pairs if pair.id is not None}
        if members:
            rows = await self.session.exec(
                select(BuddyMemberRow).where(col(BuddyMemberRow.pair_id).in_(list(members)))
            )
            for row in rows:
                members[row.pair_id].append(row.person_id)
        return [
            BuddyGroup(
                pair.id,
                pair.cohort_id,
                pair.round,
                tuple(sorted(members[pair.id])),
                pair.created_at,
                pair.ended_at,
                pair.ended_reason,
            )
            for pair in pairs
            if pair.id is not None
        ]

    async def buddy_group_of(self, person_id: int, cohort_id: str) -> BuddyGroup | None:
        """The person's open group in the cohort's latest round that has one for them."""
        groups = [
            group
            for group in await self.buddy_groups(cohort_id, open_only=True)
            if person_id in group.members
        ]
        return max(groups, key=lambda group: (group.round, group.id)) if groups else None

    async def current_buddies(self, person_id: int, cohort_id: str) -> list[int]:
        """The other members of the person's open group (empty: no buddy now)."""
        group = await self.buddy_group_of(person_id, cohort_id)
        return [member for member in group.members if member != person_id] if group else []

    async def end_buddy_group(self, group_id: int, now: datetime, reason: str) -> None:
        await self.session.exec(
            update(BuddyPairRow)
            .where(col(BuddyPairRow.id) == group_id, col(BuddyPairRow.ended_at).is_(None))
            .values(ended_at=now, ended_reason=reason)
        )
