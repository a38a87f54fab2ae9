"""A person's accounts on the platforms, and who cannot be reached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from bot.domain.people import Channel, Unreachable
from bot.storage.base import StoreBase
from bot.storage.tables import (
    IdentityRow,
    MembershipRow,
    OrganisationRow,
    PersonRow,
)


@dataclass(frozen=True)
class Identity:
    id: int
    person_id: int
    platform: str
    workspace: str
    external_id: str
    chat_id: str
    unreachable: bool
    chosen: bool = False


class IdentityQueries(StoreBase):
    """Platform identities: link, look up, mark unreachable."""

    async def link_identity(
        self,
        person_id: int,
        platform: str,
        external_id: str,
        chat_id: str,
        now: datetime,
        workspace: str = "",
    ) -> None:
        """Link (or re-link) an account to a person. One statement (an upsert on the
        account's unique key), so two processes matching the same account at once (the
        start-up match and a tick's, say) both succeed instead of one failing."""
        values = {
            "person_id": person_id,
            "platform": platform,
            "workspace": workspace,
            "external_id": external_id,
            "chat_id": chat_id,
            "last_seen": now,
            "unreachable_at": None,
            "unreachable_reason": None,
        }
        insert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        stmt = insert(IdentityRow).values(values)
        changed: dict[str, Any] = {"unreachable_at": None, "unreachable_reason": None}
        changed |= {k: stmt.excluded[k] for k in ("person_id", "chat_id", "last_seen")}
        await self.session.exec(
            stmt.on_conflict_do_update(
                index_elements=["platform", "workspace", "external_id"], set_=changed
            )
        )

    async def _identity_row(
        self, platform: str, external_id: str, workspace: str
    ) -> IdentityRow | None:
        query = select(IdentityRow).where(
            IdentityRow.platform == platform,
            IdentityRow.workspace == workspace,
            IdentityRow.external_id == external_id,
        )
        # an upsert (link_identity) may have changed a row this session loaded before
        return (await self.session.exec(query.execution_options(populate_existing=True))).first()

    async def person_for_identity(
        self, platform: str, external_id: str, workspace: str = ""
    ) -> int | None:
        row = await self._identity_row(platform, external_id, workspace)
        return row.person_id if row else None

    async def touch_identity(
        self, platform: str, external_id: str, workspace: str, chat_id: str, now: datetime
    ) -> int | None:
        """The account wrote just now (from ``chat_id``): seen, and reachable again. Returns
        the person it belongs to (None: an unknown account), in the same statement."""
        result = await self.session.exec(
            update(IdentityRow)
            .where(
                col(IdentityRow.platform) == platform,
                col(IdentityRow.workspace) == workspace,
                col(IdentityRow.external_id) == external_id,
            )
            .values(last_seen=now, chat_id=chat_id, unreachable_at=None, unreachable_reason=None)
            .returning(col(IdentityRow.person_id))
        )
        found = result.scalars().first()
        return int(found) if found is not None else None

    async def identities(self, person_id: int) -> list[Identity]:
        """A person's identities, reachable ones first, most recently seen first."""
        return (await self.identities_of([person_id])).get(person_id, [])

    async def identities_of(self, person_ids: Iterable[int]) -> dict[int, list[Identity]]:
        """Identities of many people in one query, each list ordered as ``identities``."""
        ids = list(set(person_ids))
        rows = (
            await self.session.exec(select(IdentityRow).where(col(IdentityRow.person_id).in_(ids)))
        ).all()
        ordered = sorted(
            rows,
            key=lambda r: (
                r.unreachable_at is not None,
                r.chosen_at is None,  # the account the person chose comes first
                -(r.last_seen.timestamp() if r.last_seen else 0),
            ),
        )
        found: dict[int, list[Identity]] = {}
        for r in ordered:
            found.setdefault(r.person_id, []).append(
                Identity(
                    r.id or 0,
                    r.person_id,
                    r.platform,
                    r.workspace,
                    r.external_id,
                    r.chat_id,
                    r.unreachable_at is not None,
                    r.chosen_at is not None,
                )
            )
        return found

    async def mark_unreachable(self, identity_id: int, reason: str, now: datetime) -> None:
        await self.session.exec(
            update(IdentityRow)
            .where(col(IdentityRow.id) == identity_id)
            .values(unreachable_at=now, unreachable_reason=reason[:200])
        )

    async def unreachable_people(
        self, cohort_id: str, organisation: str | None = None
    ) -> list[Unreachable]:
        """Members of a cohort (optionally of one organisation there) Kompis cannot reach on
        any of their identities, for the coordinator's and organiser's reports; the
        organisation is the one they have in this cohort. People with no identity
        at all are not listed: they have not been onboarded, which is another report."""
        query = (
            select(PersonRow, IdentityRow, OrganisationRow)
            .join(IdentityRow, col(IdentityRow.person_id) == col(PersonRow.id))
            .join(MembershipRow, col(MembershipRow.person_id) == col(PersonRow.id))
            .outerjoin(
                OrganisationRow, col(OrganisationRow.id) == col(MembershipRow.organisation_id)
            )
            .where(MembershipRow.cohort_id == cohort_id)
            .order_by(col(PersonRow.id))
        )
        if organisation is not None:
            query = query.where(OrganisationRow.key == organisation)
        found: dict[int, Unreachable | None] = {}
        for person, identity, org in (await self.session.exec(query)).all():
            assert person.id is not None
            if identity.unreachable_at is None:
                found[person.id] = None  # reachable somewhere: not reported
                continue
            if person.id in found and found[person.id] is None:
                continue
            seen = found.get(person.id)
            if seen is None or identity.unreachable_at > seen.since:
                found[person.id] = Unreachable(
                    person.id,
                    person.name,
                    org.key if org else None,
                    identity.platform,
                    identity.unreachable_reason or "",
                    identity.unreachable_at,
                )
        return [u for u in found.values() if u is not None]

    async def workspace_cohort(self, platform: str, workspace: str) -> str | None:
        """The cohort most people with an identity on this platform and workspace (a Slack
        team; the whole bot on Telegram) belong to, or None if nobody is known there yet."""
        query = (
            select(MembershipRow.cohort_id, func.count())
            .join(IdentityRow, col(IdentityRow.person_id) == col(MembershipRow.person_id))
            .where(IdentityRow.platform == platform, IdentityRow.workspace == workspace)
            .group_by(col(MembershipRow.cohort_id))
            .order_by(func.count().desc(), col(MembershipRow.cohort_id))
            .limit(1)
        )
        found = (await self.session.exec(query)).first()
        return found[0] if found else None

    async def person_for_chat(self, platform: str, workspace: str, chat_id: str) -> int | None:
        """The person whose private chat this is (the address a message went to)."""
        query = select(IdentityRow.person_id).where(
            IdentityRow.platform == platform,
            IdentityRow.workspace == workspace,
            IdentityRow.chat_id == chat_id,
        )
        return (await self.session.exec(query)).first()

    async def identity_id(self, platform: str, external_id: str, workspace: str = "") -> int | None:
        row = await self._identity_row(platform, external_id, workspace)
        return row.id if row is not None else None

    async def channels(self, person_id: int) -> list[Channel]:
        """A person's accounts, in the order Kompis tries them."""
        found = await self.identities(person_id)
        return [Channel(i.id, i.platform, i.chosen, not i.unreachable) for i in found]

    async def choose_channel(self, person_id: int, identity_id: int, now: datetime) -> bool:
        """Write to this account of the person's from now on; False if it is not theirs."""
        mine = {c.identity_id for c in await self.channels(person_id)}
        if identity_id not in mine:
            return False
        await self.session.exec(
            update(IdentityRow)
            .where(col(IdentityRow.person_id) == person_id)
            .values(chosen_at=None)
        )
        await self.session.exec(
            update(IdentityRow).where(col(IdentityRow.id) == identity_id).values(chosen_at=now)
        )
        return True
