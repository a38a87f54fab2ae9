"""Leadership-team work in storage: what the participants of one organisation in a cohort
marked done of the team's work, read in one query (a person's message or status needs it)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from bot.domain.people import Role
from bot.storage.base import StoreBase
from bot.storage.tables import (
    CompletionRow,
    MembershipRoleRow,
    MembershipRow,
    OrganisationRow,
    PersonRow,
)


class TeamQueries(StoreBase):
    async def team_completions(
        self, cohort_id: str, organisation: str, refs: Iterable[str]
    ) -> list[tuple[int, str, str]]:
        """(person id, name, ref) for each of ``refs`` a participant of ``organisation`` (its
        slug) in the cohort marked done."""
        wanted = list(refs)
        if not wanted:
            return []
        rows = (
            await self.session.exec(
                select(CompletionRow.person_id, PersonRow.name, CompletionRow.activity_ref)
                .join(PersonRow, col(PersonRow.id) == col(CompletionRow.person_id))
                .join(MembershipRow, col(MembershipRow.person_id) == col(CompletionRow.person_id))
                .join(
                    OrganisationRow, col(OrganisationRow.id) == col(MembershipRow.organisation_id)
                )
                .join(
                    MembershipRoleRow,
                    col(MembershipRoleRow.membership_id) == col(MembershipRow.id),
                )
                .where(
                    col(MembershipRow.cohort_id) == cohort_id,
                    col(OrganisationRow.key) == organisation,
                    col(MembershipRoleRow.role) == Role.PARTICIPANT.value,
                    col(CompletionRow.activity_ref).in_(wanted),
                )
            )
        ).all()
        return [(pid, name, ref) for pid, name, ref in rows]
