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

from bot.domain.messages import (
    BLOCKED,
    EDITED,
    GROUP,
    REFUSED,
    Address,
    Immediate,
    Inbound,
    Outgoing,
)
from bot.error_reply import reply_error
from bot.errors import UserError
from bot.features import conversation, corrections, onboarding
from bot.features.context import Context
from bot.log import report_error
from bot.rendering.i18n import N_, negotiate
from bot.storage.repo import Store, unit

if TYPE_CHECKING:
    from bot.app import Kompis

log = logging.getLogger(__name__)

REFUSED_TOAST = N_(
    "This button is not for you, or it is no longer valid. Write «status» or «help» to get"
    " new buttons."
)


class _NotOnboarding(Exception):
    """Rolls back an onboarding transaction that turned out to be an ordinary command."""


class Receiver:
    def __init__(self, app: Kompis) -> None:
        self.app = app

    async def receive(self, inbound: Inbound) -> Immediate | None:
        now = self.app.clock.now()
        request = onboarding.wanted(inbound) if inbound.kind != EDITED else None
        if inbound.kind == BLOCKED:
            await self._blocked(inbound, now)
        elif inbound.kind == REFUSED:
            return self._refused(inbound)
        elif inbound.kind == GROUP:
            await self._answer_group(inbound, now)
        elif inbound.kind == EDITED:
            await self._edited(inbound, now)
        elif request is None or not await self._onboard(inbound, request, now):
            await self._message(inbound, now)
        return None

    async def _message(self, inbound: Inbound, now: datetime) -> None:
        """A text or a button press: the dispatcher, remembering which message answered a
        prompt (so an edit of it corrects the answer), all in the dispatcher's transaction."""
        await self.app.handle(inbound, drain=False, prompts=PROMPT_ANSWERS)

    async def _first_time(self, store: Store, inbound: Inbound, now: datetime) -> bool:
        return not inbound.event_id or await store.first_time_seen(
            inbound.platform, inbound.event_id, now
        )

    async def _blocked(self, inbound: Inbound, now: datetime) -> None:
        async with unit(self.app.db) as store:
            identity = await store.identity_id(inbound.platform, inbound.user_id, inbound.workspace)
            if identity is not None:
                await store.mark_unreachable(identity, "blocked the bot", now)

    def _refused(self, inbound: Inbound) -> Immediate:
        """A button that is not this person's (forwarded, forged, too old): a toast on the
        spot, in their language; nothing else happens and nothing is queued."""
        locale = negotiate(inbound.locale_hint, self.app.dispatcher.fallback_locale)
        return Immediate(toast=self.app.renderer.gettext(locale, REFUSED_TOAST))

    async def _answer_group(self, inbound: Inbound, now: datetime) -> None:
        """A command in a group: one short answer there, with a link to a private chat."""
        link = getattr(self.app.transports.get(inbound.platform), "private_link", None)
        reply = Outgoing(
            None,
            "group_private",
            {"link": link() if callable(link) else ""},
            key=f"{inbound.kind}:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}",
            address=Address(inbound.platform, inbound.chat_id, inbound.workspace),
            locale=negotiate(inbound.locale_hint, self.app.dispatcher.fallback_locale),
        )
        async with unit(self.app.db) as store:
            if await self._first_time(store, inbound, now):
                await store.enqueue([reply], now)

    async def _onboard(self, inbound: Inbound, request: onboarding.Request, now: datetime) -> bool:
        """Handle an invitation; False when it was not one after all (a bare ``/start`` from
        someone linked), so the dispatcher gets it (with nothing written here)."""
        try:
            async with unit(self.app.db) as store:
                if not await self._first_time(store, inbound, now):
                    return True
                replies = await onboarding.onboard(
                    store,
                    self.app.catalog,
                    inbound,
                    request,
                    now,
                    self.app.dispatcher.fallback_locale,
                )
                if replies is None:
                    raise _NotOnboarding
                await store.enqueue(replies, now)
        except _NotOnboarding:
            return False  # rolled back: the "seen" mark too
        except Exception as exc:
            report_error("onboarding", exc, {"platform": inbound.platform})
            await reply_error(
                self.app.db, self.app.dispatcher, inbound, None, "error_apology", {}, now
            )
        return True

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
            await reply_error(
                self.app.db,
                self.app.dispatcher,
                inbound,
                person_id,
                exc.template,
                exc.params,
                now,
            )


class PromptAnswers:
    """Which reflection prompt a text answers, and which message answered it."""

    async def pending(
        self, store: Store, inbound: Inbound, person_id: int, now: datetime
    ) -> str | None:
        """The activity ref of the prompt this text may answer. A reply to a prompt answers
        that prompt (it becomes the pending one); otherwise the pending one, if any."""
        if inbound.action or not inbound.message_id:
            return None
        waiting = await _waiting_reflection(store, person_id)
        if inbound.reply_to:
            address = Address(inbound.platform, inbound.chat_id, inbound.workspace)
            prompt = await store.sent_params(
                person_id, "reflection_prompt", address, inbound.reply_to
            )
            if prompt and prompt.get("ref") and prompt["ref"] != waiting:
                await store.set_conversation(
                    person_id, conversation.REFLECTION, now, {"ref": str(prompt["ref"])}
                )
                return str(prompt["ref"])
        return waiting

    async def remember(
        self, store: Store, inbound: Inbound, person_id: int, ref: str, now: datetime
    ) -> None:
        """If the text was taken as the answer to ``ref``, remember which message it was."""
        assert inbound.message_id is not None
        if await _waiting_reflection(store, person_id) is not None:
            return  # still pending: the text was a command, or refused
        if not any(r.activity_ref == ref for r in await store.reflections(person_id)):
            return
        await store.remember_answer(
            inbound.platform, inbound.chat_id, inbound.message_id, person_id, ref, now
        )


PROMPT_ANSWERS = PromptAnswers()


async def _waiting_reflection(store: Store, person_id: int) -> str | None:
    """The activity ref of the reflection prompt waiting for this person's answer, if any."""
    found = await store.conversation(person_id)
    if found is None or found.kind not in (
        conversation.REFLECTION,
        conversation.REFLECTION_CONFIRM,
    ):
        return None
    ref = found.data.get("ref")
    return str(ref) if ref else None
