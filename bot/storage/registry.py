"""The ``ActionRegistry`` the transports use: opaque button ids over the database, each call
its own short transaction (a send, a press)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.clock import Clock
from bot.domain.messages import Address
from bot.storage.db import Database
from bot.storage.repo import unit


class StoredActions:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def register(self, address: Address, actions: Sequence[str]) -> list[str]:
        if not actions:
            return []
        async with unit(self.db) as store:
            person_id = await store.person_for_chat(
                address.platform, address.workspace, address.chat_id
            )
            return await store.register_actions(person_id, actions, self.clock.now())

    async def bind(self, address: Address, action_id: str, action: str) -> None:
        async with unit(self.db) as store:
            person_id = await store.person_for_chat(
                address.platform, address.workspace, address.chat_id
            )
            await store.bind_action(action_id, person_id, action, self.clock.now())

    async def resolve(
        self, platform: str, workspace: str, action_id: str, presser: str
    ) -> str | None:
        async with unit(self.db) as store:
            row = await store.button_action(action_id)
            if row is None or row.person_id is None:
                return None
            pressing = await store.person_for_identity(platform, presser, workspace)
            return row.action if pressing == row.person_id else None
