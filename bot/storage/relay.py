"""The buddy relay in storage: messages, where each copy went, replies found by platform
message id, undelivered copies, and check-ins with their answers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from bot.domain.buddies import BuddyGroup
from bot.domain.messages import Address
from bot.domain.relay import Checkin, RelayedCopy, Undelivered
from bot.storage.base import StoreBase
from bot.storage.outbox import OutboxStatus
from bot.storage.tables import OutboxRow
from bot.storage.tables_buddies import BuddyMemberRow, BuddyPairRow
from bot.storage.tables_relay import BuddyCheckinRow, BuddyDeliveryRow, BuddyMessageRow


class RelayQueries(StoreBase):
    async def save_buddy_message(
        self, pair_id: int, sender_id: int, text: str, thread_id: int | None, now: datetime
    ) -> int:
        row = BuddyMessageRow(
            pair_id=pair_id, sender_id=sender_id, thread_id=thread_id, text=text, created_at=now
        )
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        return row.id

    async def add_buddy_delivery(self, message_id: int, recipient_id: int, outbox_key: str) -> None:
        self.session.add(
            BuddyDeliveryRow(
                message_id=message_id, recipient_id=recipient_id, outbox_key=outbox_key
            )
        )
        await self.session.flush()

    async def buddy_message_group(self, message_id: int) -> int | None:
        """The group a buddy message belongs to (None: no such message)."""
        found = await self.session.exec(
            select(BuddyMessageRow.pair_id).where(BuddyMessageRow.id == message_id)
        )
        return found.first()

    async def thread_roots(self, thread_id: int) -> dict[int, str]:
        """Per recipient, the outbox key of the first copy of the thread in their chat: a
        later message of the thread answers it (Telegram reply-to, Slack ``thread_ts``)."""
        rows = await self.session.exec(
            select(BuddyDeliveryRow.recipient_id, BuddyDeliveryRow.outbox_key)
            .join(BuddyMessageRow, col(BuddyMessageRow.id) == col(BuddyDeliveryRow.message_id))
            .where(
                (col(BuddyMessageRow.id) == thread_id)
                | (col(BuddyMessageRow.thread_id) == thread_id)
            )
            .order_by(col(BuddyDeliveryRow.id))
        )
        roots: dict[int, str] = {}
        for recipient, key in rows:
            roots.setdefault(recipient, key)
        return roots

    async def copy_replied_to(
        self, person_id: int, address: Address, platform_message_id: str
    ) -> RelayedCopy | None:
        """The buddy message whose copy in this person's chat went out as
        ``platform_message_id`` at ``address`` (what a reply or a thread answers), if any."""
        rows = await self.session.exec(
            select(BuddyMessageRow, OutboxRow.sent_parts)
            .join(BuddyDeliveryRow, col(BuddyDeliveryRow.message_id) == col(BuddyMessageRow.id))
            .join(OutboxRow, col(OutboxRow.key) == col(BuddyDeliveryRow.outbox_key))
            .where(
                BuddyDeliveryRow.recipient_id == person_id, col(OutboxRow.sent_parts).is_not(None)
            )
            .order_by(col(BuddyDeliveryRow.id).desc())
        )
        for message, sent_parts in rows:
            stored = json.loads(sent_parts or "{}")
            if Address(**stored["address"]) == address and platform_message_id in stored["ids"]:
                assert message.id is not None
                return RelayedCopy(
                    message.id, message.thread_id or message.id, message.pair_id, message.sender_id
                )
        return None

    async def buddy_message_stats(
        self, pair_ids: Iterable[int], since: datetime | None = None
    ) -> dict[int, tuple[int, datetime | None]]:
        """Per group: how many messages (since ``since``) and when the latest was written."""
        ids = list(pair_ids)
        if not ids:
            return {}
        query = select(
            BuddyMessageRow.pair_id, func.count(), func.max(BuddyMessageRow.created_at)
        ).where(col(BuddyMessageRow.pair_id).in_(ids))
        if since is not None:
            query = query.where(col(BuddyMessageRow.created_at) >= since)
        rows = await self.session.exec(query.group_by(col(BuddyMessageRow.pair_id)))
        return {pair: (count, latest) for pair, count, latest in rows}

    async def undelivered_copies(self) -> list[Undelivered]:
        """Copies to a buddy the outbox gave up on (unreachable everywhere, or nobody to
        send to) whose sender has not been told yet."""
        rows = await self.session.exec(
            select(BuddyDeliveryRow, BuddyMessageRow)
            .join(BuddyMessageRow, col(BuddyMessageRow.id) == col(BuddyDeliveryRow.message_id))
            .join(OutboxRow, col(OutboxRow.key) == col(BuddyDeliveryRow.outbox_key))
            .where(
                col(BuddyDeliveryRow.notified_at).is_(None),
                col(BuddyDeliveryRow.recipient_id) != col(BuddyMessageRow.sender_id),
                col(OutboxRow.status).in_([OutboxStatus.FAILED, OutboxStatus.SKIPPED]),
            )
        )
        return [
            Undelivered(d.id or 0, m.pair_id, m.sender_id, d.recipient_id) for d, m in rows.all()
        ]

    async def mark_copies_notified(self, delivery_ids: Iterable[int], now: datetime) -> None:
        ids = list(delivery_ids)
        if ids:
            await self.session.exec(
                update(BuddyDeliveryRow)
                .where(col(BuddyDeliveryRow.id).in_(ids))
                .values(notified_at=now)
            )

    async def open_groups_of(self, person_id: int) -> list[BuddyGroup]:
        """Every open group the person is in, in any cohort."""
        pair_ids = select(BuddyMemberRow.pair_id).where(BuddyMemberRow.person_id == person_id)
        pairs = (
            await self.session.exec(
                select(BuddyPairRow).where(
                    col(BuddyPairRow.id).in_(pair_ids), col(BuddyPairRow.ended_at).is_(None)
                )
            )
        ).all()
        found: list[BuddyGroup] = []
        for pair in pairs:
            assert pair.id is not None
            members = await self.session.exec(
                select(BuddyMemberRow.person_id).where(BuddyMemberRow.pair_id == pair.id)
            )
            found.append(
                BuddyGroup(
                    pair.id, pair.cohort_id, pair.round, tuple(sorted(members)), pair.created_at
                )
            )
        return found

    async def forget_copies_from(self, person_id: int) -> int:
        """Delete the outbox rows holding copies of what this person wrote to their buddies
        (the copies carry the text and their name); returns how many."""
        keys = (
            select(BuddyDeliveryRow.outbox_key)
            .join(BuddyMessageRow, col(BuddyMessageRow.id) == col(BuddyDeliveryRow.message_id))
            .where(BuddyMessageRow.sender_id == person_id)
        )
        result = await self.session.exec(delete(OutboxRow).where(col(OutboxRow.key).in_(keys)))
        return int(result.rowcount or 0)

    # ---- check-ins --------------------------------------------------------------------

    async def checkins_asked(self, pair_ids: Iterable[int], stage_ref: str) -> set[int]:
        """Which of these groups were already asked in this stage."""
        ids = list(pair_ids)
        if not ids:
            return set()
        rows = await self.session.exec(
            select(BuddyCheckinRow.pair_id).where(
                col(BuddyCheckinRow.pair_id).in_(ids), BuddyCheckinRow.stage_ref == stage_ref
            )
        )
        return set(rows)

    async def add_checkins(
        self, members: Iterable[tuple[int, int]], stage_ref: str, now: datetime
    ) -> dict[tuple[int, int], int]:
        """Record that these (group, person) are asked in the stage, in a few statements;
        returns the check-in id of each (also of those asked before)."""
        wanted = list(members)
        values = [
            {"pair_id": pair, "person_id": person, "stage_ref": stage_ref, "asked_at": now}
            for pair, person in wanted
        ]
        for start in range(0, len(values), 500):
            await self._insert_ignore(BuddyCheckinRow, values[start : start + 500])
        pairs = sorted({pair for pair, _person in wanted})
        found: dict[tuple[int, int], int] = {}
        for start in range(0, len(pairs), 500):
            rows = await self.session.exec(
                select(
                    BuddyCheckinRow.id, BuddyCheckinRow.pair_id, BuddyCheckinRow.person_id
                ).where(
                    col(BuddyCheckinRow.pair_id).in_(pairs[start : start + 500]),
                    BuddyCheckinRow.stage_ref == stage_ref,
                )
            )
            found |= {(pair, person): c for c, pair, person in rows if c is not None}
        return found

    async def answer_checkin(
        self, checkin_id: int, person_id: int, answer: str, now: datetime
    ) -> Checkin | None:
        """Store the person's answer to their check-in (the latest answer counts); None if
        the check-in is not theirs."""
        row = (
            await self.session.exec(
                select(BuddyCheckinRow).where(
                    BuddyCheckinRow.id == checkin_id, BuddyCheckinRow.person_id == person_id
                )
            )
        ).first()
        if row is None:
            return None
        row.answer, row.answered_at = answer, now
        self.session.add(row)
        await self.session.flush()
        return _checkin(row)

    async def checkins(self, pair_ids: Iterable[int]) -> list[Checkin]:
        ids = list(pair_ids)
        if not ids:
            return []
        rows = await self.session.exec(
            select(BuddyCheckinRow)
            .where(col(BuddyCheckinRow.pair_id).in_(ids))
            .order_by(col(BuddyCheckinRow.id))
        )
        return [_checkin(row) for row in rows]


def _checkin(row: BuddyCheckinRow) -> Checkin:
    return Checkin(row.id or 0, row.pair_id, row.person_id, row.stage_ref, row.asked_at, row.answer)
