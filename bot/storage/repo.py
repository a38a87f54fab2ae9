"""The repository: every query the features and delivery need, in one unit of work.

A ``Store`` wraps one session; ``Database.unit()`` opens one, commits on success and rolls
back on any error, so an inbound event or an import is applied whole or not at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.cohort import Cohort
from bot.domain.messages import Address, Button, Outgoing
from bot.domain.people import Person, Role, Unreachable, Visibility
from bot.domain.text import pick
from bot.storage.db import Database
from bot.storage.tables import (
    CohortRow,
    CompletionRow,
    GatheringGroupRow,
    IdentityRow,
    InboundSeenRow,
    LabChoiceRow,
    OrganisationRow,
    OutboxRow,
    PersonRow,
    ReflectionRow,
    RoleRow,
    SurveyAnswerRow,
)

# An arbitrary constant naming the planner's advisory lock (the bytes of "kompisPL").
PLANNER_LOCK_ID = 0x6B6F6D706973504C


@dataclass(frozen=True)
class Identity:
    id: int
    person_id: int
    platform: str
    workspace: str
    external_id: str
    chat_id: str
    unreachable: bool


@dataclass(frozen=True)
class OutboxItem:
    id: int
    key: str
    person_id: int | None
    address: Address | None
    locale: str | None
    kind: str
    template: str
    params: dict[str, Any]
    buttons: tuple[Button, ...]
    attempts: int
    late: bool
    not_before: datetime
    parts_sent: int = 0


@dataclass(frozen=True)
class Reflection:
    person_id: int
    activity_ref: str
    text: str
    visibility: Visibility
    updated_at: datetime


class Store:
    """Queries and commands over one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._dialect = session.bind.dialect.name if session.bind else "sqlite"

    # -- cohorts -------------------------------------------------------------------------

    async def sync_cohort(self, cohort: Cohort) -> None:
        """Create or update a cohort, its gathering groups and organisations from its schedule."""
        s = self.session
        row = await s.get(CohortRow, cohort.id)
        name = pick(cohort.name, cohort.locale)
        if row is None:
            row = CohortRow(
                id=cohort.id,
                programme_id=cohort.programme,
                name=name,
                timezone=cohort.timezone,
                locale=cohort.locale,
                country=cohort.country,
            )
        else:
            row.programme_id, row.name, row.timezone = cohort.programme, name, cohort.timezone
            row.locale, row.country = cohort.locale, cohort.country
        s.add(row)
        groups = {
            g.key: g
            for g in (
                await s.exec(
                    select(GatheringGroupRow).where(GatheringGroupRow.cohort_id == cohort.id)
                )
            ).all()
        }
        for group in cohort.gathering_groups:
            grow = groups.get(group.id) or GatheringGroupRow(
                cohort_id=cohort.id, key=group.id, name=""
            )
            grow.name = pick(group.name, cohort.locale)
            s.add(grow)
        orgs = {
            o.key: o
            for o in (
                await s.exec(select(OrganisationRow).where(OrganisationRow.cohort_id == cohort.id))
            ).all()
        }
        for org in cohort.organisations:
            orow = orgs.get(org.id) or OrganisationRow(
                cohort_id=cohort.id, key=org.id, name="", kind=""
            )
            orow.name, orow.kind, orow.group_key = org.name, org.kind.value, org.group
            s.add(orow)
        await s.flush()

    async def planned_until(self, cohort_id: str) -> datetime | None:
        row = await self.session.get(CohortRow, cohort_id)
        return row.planned_until if row else None

    async def set_planned_until(self, cohort_id: str, moment: datetime) -> None:
        await self.session.exec(
            update(CohortRow).where(col(CohortRow.id) == cohort_id).values(planned_until=moment)
        )

    # -- people --------------------------------------------------------------------------

    async def add_person(
        self,
        *,
        name: str,
        cohort_id: str,
        organisation: str | None,
        roles: Iterable[Role],
        now: datetime,
        email: str | None = None,
        locale: str | None = None,
    ) -> int:
        org_id = await self._org_id(cohort_id, organisation) if organisation else None
        row = PersonRow(
            name=name,
            email=email,
            cohort_id=cohort_id,
            organisation_id=org_id,
            locale=locale,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        for role in set(roles):
            self.session.add(RoleRow(person_id=row.id, role=role.value))
        await self.session.flush()
        return row.id

    async def _org_id(self, cohort_id: str, key: str) -> int:
        org = (
            await self.session.exec(
                select(OrganisationRow).where(
                    OrganisationRow.cohort_id == cohort_id, OrganisationRow.key == key
                )
            )
        ).first()
        if org is None or org.id is None:
            raise LookupError(f"no organisation {key!r} in cohort {cohort_id!r}")
        return org.id

    async def person(self, person_id: int) -> Person | None:
        people = await self._people(select(PersonRow).where(PersonRow.id == person_id))
        return people[0] if people else None

    async def person_by_email(self, email: str) -> Person | None:
        people = await self._people(
            select(PersonRow).where(func.lower(PersonRow.email) == email.strip().lower())
        )
        return people[0] if people else None

    async def people(self, person_ids: Iterable[int]) -> dict[int, Person]:
        """Many people by id, in four queries whatever their number."""
        ids = list(set(person_ids))
        return {
            p.id: p for p in await self._people(select(PersonRow).where(col(PersonRow.id).in_(ids)))
        }

    async def people_in_cohort(self, cohort_id: str) -> list[Person]:
        return await self._people(
            select(PersonRow).where(PersonRow.cohort_id == cohort_id).order_by(col(PersonRow.id))
        )

    async def _people(self, query: Any) -> list[Person]:
        rows: Sequence[PersonRow] = (await self.session.exec(query)).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        roles: dict[int, set[Role]] = {}
        for rrow in (
            await self.session.exec(select(RoleRow).where(col(RoleRow.person_id).in_(ids)))
        ).all():
            roles.setdefault(rrow.person_id, set()).add(Role(rrow.role))
        labs: dict[int, list[str]] = {}
        for lrow in (
            await self.session.exec(
                select(LabChoiceRow)
                .where(col(LabChoiceRow.person_id).in_(ids))
                .order_by(col(LabChoiceRow.chosen_at), col(LabChoiceRow.id))
            )
        ).all():
            labs.setdefault(lrow.person_id, []).append(lrow.lab_id)
        org_ids = {r.organisation_id for r in rows if r.organisation_id}
        orgs = {
            o.id: o.key
            for o in (
                await self.session.exec(
                    select(OrganisationRow).where(col(OrganisationRow.id).in_(org_ids))
                )
            ).all()
        }
        return [
            Person(
                id=r.id,
                name=r.name,
                cohort_id=r.cohort_id,
                organisation=orgs.get(r.organisation_id) if r.organisation_id else None,
                roles=frozenset(roles.get(r.id, set())),
                locale=r.locale,
                email=r.email,
                paused_until=r.paused_until,
                snoozed_until=r.snoozed_until,
                pending_activity=r.pending_activity,
                labs=tuple(labs.get(r.id, [])),
            )
            for r in rows
            if r.id is not None
        ]

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

    async def organisation_groups(self, cohort_id: str) -> dict[str, str | None]:
        """Organisation slug -> gathering group slug."""
        rows = (
            await self.session.exec(
                select(OrganisationRow).where(OrganisationRow.cohort_id == cohort_id)
            )
        ).all()
        return {r.key: r.group_key for r in rows}

    async def update_person(self, person_id: int, **values: Any) -> None:
        allowed = {"locale", "paused_until", "snoozed_until", "pending_activity", "name"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        await self.session.exec(
            update(PersonRow).where(col(PersonRow.id) == person_id).values(**values)
        )

    # -- identities ----------------------------------------------------------------------

    async def link_identity(
        self,
        person_id: int,
        platform: str,
        external_id: str,
        chat_id: str,
        now: datetime,
        workspace: str = "",
    ) -> None:
        row = await self._identity_row(platform, external_id, workspace)
        if row is None:
            row = IdentityRow(
                person_id=person_id,
                platform=platform,
                workspace=workspace,
                external_id=external_id,
                chat_id=chat_id,
            )
        row.person_id, row.chat_id, row.last_seen = person_id, chat_id, now
        row.unreachable_at = row.unreachable_reason = None
        self.session.add(row)
        await self.session.flush()

    async def _identity_row(
        self, platform: str, external_id: str, workspace: str
    ) -> IdentityRow | None:
        query = select(IdentityRow).where(
            IdentityRow.platform == platform,
            IdentityRow.workspace == workspace,
            IdentityRow.external_id == external_id,
        )
        return (await self.session.exec(query)).first()

    async def person_for_identity(
        self, platform: str, external_id: str, workspace: str = ""
    ) -> int | None:
        row = await self._identity_row(platform, external_id, workspace)
        return row.person_id if row else None

    async def touch_identity(
        self, platform: str, external_id: str, workspace: str, chat_id: str, now: datetime
    ) -> None:
        await self.session.exec(
            update(IdentityRow)
            .where(
                col(IdentityRow.platform) == platform,
                col(IdentityRow.workspace) == workspace,
                col(IdentityRow.external_id) == external_id,
            )
            .values(last_seen=now, chat_id=chat_id, unreachable_at=None, unreachable_reason=None)
        )

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
        """People of a cohort (optionally one organisation) Kompis cannot reach on any of their
        identities, for the coordinator's and organiser's reports. People with no identity
        at all are not listed: they have not been onboarded, which is another report."""
        query = (
            select(PersonRow, IdentityRow, OrganisationRow)
            .join(IdentityRow, col(IdentityRow.person_id) == col(PersonRow.id))
            .outerjoin(OrganisationRow, col(OrganisationRow.id) == col(PersonRow.organisation_id))
            .where(PersonRow.cohort_id == cohort_id)
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

    # -- progress and reflections ----------------------------------------------------------

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
            Reflection(r.person_id, r.activity_ref, r.text, Visibility(r.visibility), r.updated_at)
            for r in rows
        ]

    # -- inbound de-duplication ----------------------------------------------------------

    async def first_time_seen(self, platform: str, event_id: str, now: datetime) -> bool:
        values = {"platform": platform, "event_id": event_id, "seen_at": now}
        return await self._insert_ignore(InboundSeenRow, values) > 0

    # -- outbox --------------------------------------------------------------------------

    async def enqueue(
        self,
        items: Iterable[Outgoing],
        now: datetime,
        not_before: datetime | None = None,
        late: bool = False,
    ) -> int:
        """Queue messages; an item whose key is already queued is skipped. Returns how many
        were new."""
        rows: dict[str, dict[str, Any]] = {}
        for item in items:
            key = (item.key or f"{item.kind}:{item.person_id}:{uuid.uuid4().hex}")[:255]
            rows[key] = {
                "key": key,
                "person_id": item.person_id,
                "kind": item.kind,
                "address": json.dumps(asdict(item.address)) if item.address else None,
                "locale": item.locale,
                "template": item.template,
                "params": json.dumps(item.params, ensure_ascii=False),
                "buttons": json.dumps(
                    [[b.label, b.action, b.args] for b in item.buttons], ensure_ascii=False
                ),
                "status": "pending",
                "not_before": not_before or now,
                "created_at": now,
                "attempts": 0,
                "parts_sent": 0,
                "late": late,
            }
        values = list(rows.values())
        return sum(
            [
                await self._insert_ignore(OutboxRow, values[i : i + 200])
                for i in range(0, len(values), 200)
            ]
        )

    async def next_pending_after(self, after: datetime) -> datetime | None:
        """The earliest ``not_before`` of a pending row later than ``after`` (simulated time
        stops there, so a message held for quiet hours or a snooze goes out on its moment)."""
        found = await self.session.exec(
            select(func.min(OutboxRow.not_before)).where(
                OutboxRow.status == "pending", OutboxRow.not_before > after
            )
        )
        moment = found.one()
        return moment if isinstance(moment, datetime) else None

    async def claim(self, now: datetime, worker: str, limit: int = 100) -> list[OutboxItem]:
        """Take up to ``limit`` due pending rows for ``worker``; concurrent workers never get
        the same row (PostgreSQL: SKIP LOCKED; SQLite: one writer at a time)."""
        due = (
            select(OutboxRow.id)
            .where(OutboxRow.status == "pending", OutboxRow.not_before <= now)
            .order_by(col(OutboxRow.not_before), col(OutboxRow.id))
            .limit(limit)
        )
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list((await self.session.exec(due)).all())
        if not ids:
            return []
        await self.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.id).in_(ids))
            .values(status="sending", claimed_by=worker, claimed_at=now)
        )
        rows = (
            await self.session.exec(
                select(OutboxRow)
                .where(col(OutboxRow.id).in_(ids))
                .order_by(col(OutboxRow.not_before), col(OutboxRow.id))
            )
        ).all()
        return [
            OutboxItem(
                r.id or 0,
                r.key,
                r.person_id,
                Address(**json.loads(r.address)) if r.address else None,
                r.locale,
                r.kind,
                r.template,
                json.loads(r.params),
                tuple(Button(*fields) for fields in json.loads(r.buttons)),
                r.attempts,
                r.late,
                r.not_before,
                r.parts_sent,
            )
            for r in rows
        ]

    async def finish(
        self,
        outbox_id: int,
        status: str,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
        parts_sent: int | None = None,
    ) -> None:
        """Record the outcome of one send attempt: sent, skipped, dead, or back to pending
        (``parts_sent``: how many parts of a split message are out, so a retry resumes)."""
        values: dict[str, Any] = {
            "status": status,
            "last_error": error[:500] if error else None,
            "attempts": OutboxRow.attempts + 1,
        }
        if parts_sent is not None:
            values["parts_sent"] = parts_sent
        if status == "sent":
            values["sent_at"] = now
        if retry_at is not None:
            values["not_before"] = retry_at
        await self.session.exec(
            update(OutboxRow).where(col(OutboxRow.id) == outbox_id).values(**values)
        )

    async def defer(self, outbox_id: int, not_before: datetime) -> None:
        """Put a claimed row back unsent (its chat had no send budget); not an attempt."""
        await self.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.id) == outbox_id)
            .values(status="pending", claimed_by=None, not_before=not_before)
        )

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Put rows a crashed worker had claimed back in the queue."""
        result = await self.session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.status) == "sending", col(OutboxRow.claimed_at) < older_than)
            .values(status="pending", claimed_by=None)
        )
        return int(result.rowcount or 0)

    async def outbox_counts(self) -> dict[str, int]:
        rows = (
            await self.session.exec(
                select(OutboxRow.status, func.count()).group_by(col(OutboxRow.status))
            )
        ).all()
        return {status: count for status, count in rows}

    async def delete_outbox_before(self, moment: datetime) -> None:
        await self.session.exec(
            delete(OutboxRow).where(
                col(OutboxRow.status) == "sent", col(OutboxRow.sent_at) < moment
            )
        )

    # -- coordination between processes --------------------------------------------------

    async def try_planner_lock(self) -> bool:
        """Become the planner for the rest of this transaction, if no other process is.

        PostgreSQL: a transaction-scoped advisory lock, released by commit, rollback or a
        dropped connection, so a crashed planner never leaves it taken. SQLite: always true,
        because only one process may use a SQLite database (see ``bot.storage.single``)."""
        if self._dialect != "postgresql":
            return True
        result = await self.session.exec(select(func.pg_try_advisory_xact_lock(PLANNER_LOCK_ID)))
        return bool(result.one())

    # -- helpers -------------------------------------------------------------------------

    async def _insert_ignore(
        self, table: Any, values: dict[str, Any] | list[dict[str, Any]]
    ) -> int:
        """INSERT ... ON CONFLICT DO NOTHING (one row or many) on both dialects; returns how
        many rows were inserted."""
        if not values:
            return 0
        insert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        stmt = insert(table).values(values).on_conflict_do_nothing().returning(table.id)
        result = await self.session.exec(stmt)
        return len(result.all())


@asynccontextmanager
async def unit(db: Database) -> AsyncIterator[Store]:
    """One transaction: commit on success, roll back on any exception."""
    async with db.sessions() as session, session.begin():
        yield Store(session)
