"""Invitations: issue, look up by hashed token or code, use once, revoke."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from bot.domain.invites import Invite
from bot.storage.base import StoreBase
from bot.storage.tables import IdentityRow, InviteRow, MembershipRow


class InviteQueries(StoreBase):
    """The ``invite`` table."""

    async def issue_invite(
        self, person_id: int, token_hash: str, code_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        """A new invitation for a person; their earlier open ones stop working (only the
        newest link or code, the one just handed out, is valid)."""
        await self.revoke_invites(person_id, now)
        self.session.add(
            InviteRow(
                person_id=person_id,
                token_hash=token_hash,
                code_hash=code_hash,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await self.session.flush()

    async def revoke_invites(self, person_id: int, now: datetime) -> int:
        result = await self.session.exec(
            update(InviteRow)
            .where(
                col(InviteRow.person_id) == person_id,
                col(InviteRow.used_at).is_(None),
                col(InviteRow.revoked_at).is_(None),
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)

    async def invite_by_hash(self, *, token_hash: str = "", code_hash: str = "") -> Invite | None:
        column = InviteRow.token_hash if token_hash else InviteRow.code_hash
        row = (
            await self.session.exec(select(InviteRow).where(column == (token_hash or code_hash)))
        ).first()
        if row is None or row.id is None:
            return None
        return Invite(row.id, row.person_id, row.expires_at, row.used_at, row.revoked_at)

    async def use_invite(self, invite_id: int, now: datetime) -> bool:
        """Mark an invitation used; False if another request used it first."""
        result = await self.session.exec(
            update(InviteRow)
            .where(col(InviteRow.id) == invite_id, col(InviteRow.used_at).is_(None))
            .values(used_at=now)
        )
        return bool(result.rowcount)

    async def people_without_identity(self, cohort_id: str, platform: str) -> list[int]:
        """Ids of the people of a cohort with no account on ``platform``, in import order."""
        linked = select(IdentityRow.person_id).where(IdentityRow.platform == platform)
        query = (
            select(MembershipRow.person_id)
            .where(
                MembershipRow.cohort_id == cohort_id,
                col(MembershipRow.person_id).not_in(linked),
            )
            .order_by(col(MembershipRow.person_id))
        )
        return [i for i in (await self.session.exec(query)).all() if i is not None]
