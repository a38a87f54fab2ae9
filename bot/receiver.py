"""What happens to an inbound event before (and around) the dispatcher: onboarding by
invitation, blocked accounts, refused buttons, group chats, corrected answers.

``Kompis.receive`` hands every event from a platform here; ordinary messages and button
presses go on to ``Kompis.handle`` (the dispatcher and its error funnel). Each path is one
transaction that stores what happened and queues the replies; delivery sends them later.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.messages import BLOCKED, EDITED, GROUP, REFUSED, Address, Inbound, Outgoing
from bot.errors import UserError
from bot.features import corrections, onboarding
from bot.features.context import Context
from bot.rendering.i18n import negotiate
from bot.storage.repo import Store, unit

if TYPE_CHECKING:
    from bot.app import Kompis

log = logging.getLogger(__name__)


class Receiver:
    def __init__(self, app: Kompis) -> None:
        self.app = app

    async def receive(self, inbound: Inbound) -> None:
        now = self.app.clock.now()
        request = onboarding.wanted(inbound) if inbound.kind != EDITED else None
        if inbound.kind == BLOCKED:
            await self._blocked(inbound, now)
        elif inbound.kind in (REFUSED, GROUP):
            await self._answer_chat(inbound, now)
        elif inbound.kind == EDITED:
            await self._edited(inbound, now)
        elif request is not None:
            await self._onboard(inbound, request, now)
        else:
            pending = await self._pending_prompt(inbound)
            await self.app.handle(inbound, drain=False)
            if pending is not None:
                await self._remember_answer(inbound, *pending, now)

    async def _first_time(self, store: Store, inbound: Inbound, now: datetime) -> bool:
        return not inbound.event_id or await store.first_time_seen(
            inbound.platform, inbound.event_id, now
        )

    async def _blocked(self, inbound: Inbound, now: datetime) -> None:
        async with unit(self.app.db) as store:
            identity = await store.identity_id(inbound.platform, inbound.user_id, inbound.workspace)
            if identity is not None:
                await store.mark_unreachable(identity, "blocked the bot", now)

    async def _answer_chat(self, inbound: Inbound, now: datetime) -> None:
        """A refused button or a group command: one short answer to that chat."""
        template = "action_refused" if inbound.kind == REFUSED else "group_private"
        link = getattr(self.app.transports.get(inbound.platform), "private_link", None)
        params = {"link": link() if callable(link) else ""} if inbound.kind == GROUP else {}
        reply = Outgoing(
            None,
            template,
            params,
            key=f"{inbound.kind}:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}",
            address=Address(inbound.platform, inbound.chat_id, inbound.workspace),
            locale=negotiate(inbound.locale_hint, self.app.dispatcher.default_locale),
        )
        async with unit(self.app.db) as store:
            if await self._first_time(store, inbound, now):
                await store.enqueue([reply], now)

    async def _onboard(self, inbound: Inbound, request: onboarding.Request, now: datetime) -> None:
        try:
            async with unit(self.app.db) as store:
                if not await self._first_time(store, inbound, now):
                    return
                replies = await onboarding.onboard(
                    store,
                    self.app.catalog,
                    inbound,
                    request,
                    now,
                    self.app.dispatcher.default_locale,
                )
                await store.enqueue(replies, now)
        except Exception:
            log.exception("onboarding on %s failed", inbound.platform)
            await self.app._reply_error(inbound, None, "error_apology", {}, now)

    async def _pending_prompt(self, inbound: Inbound) -> tuple[int, str] | None:
        """The prompt this text may answer: (person id, activity ref), if one is pending."""
        if inbound.action or not inbound.message_id:
            return None
        async with unit(self.app.db) as store:
            person_id = await store.person_for_identity(
                inbound.platform, inbound.user_id, inbound.workspace
            )
            person = await store.person(person_id) if person_id is not None else None
        if person is None or person.pending_activity is None:
            return None
        return person.id, person.pending_activity

    async def _remember_answer(
        self, inbound: Inbound, person_id: int, ref: str, now: datetime
    ) -> None:
        """If the text was taken as the answer to ``ref``, remember which message it was."""
        assert inbound.message_id is not None
        async with unit(self.app.db) as store:
            person = await store.person(person_id)
            if person is None or person.pending_activity is not None:
                return  # still pending: the text was a command, or refused
            if not any(r.activity_ref == ref for r in await store.reflections(person_id)):
                return
            await store.remember_answer(
                inbound.platform, inbound.chat_id, inbound.message_id, person_id, ref, now
            )

    async def _edited(self, inbound: Inbound, now: datetime) -> None:
        """An edited message: if it answered a prompt, the answer follows; otherwise the edit
        is ignored (Kompis already acted on the original)."""
        if not inbound.message_id:
            return
        person_id: int | None = None
        try:
            async with unit(self.app.db) as store:
                found = await store.answered_by(
                    inbound.platform, inbound.chat_id, inbound.message_id
                )
                if found is None or not await self._first_time(store, inbound, now):
                    return
                person_id, ref = found
                person = await store.person(person_id)
                if person is None:
                    return
                ctx = Context(store, self.app.catalog, person, inbound, now)
                await corrections.correct(ctx, ref, inbound.text)
                await store.enqueue(ctx.replies, now)
        except UserError as exc:
            await self.app._reply_error(inbound, person_id, exc.template, exc.params, now)
