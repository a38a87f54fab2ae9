"""The one entry point for everything a person does: identify, route, reply."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.messages import Address, Inbound, Outgoing
from bot.domain.ports import StorePort
from bot.features import (
    bank,
    bank_digilog,
    bank_moderation,
    bank_share,
    basics,
    broadcasts_chat,
    buddies,
    buddy_checkins,
    buddy_optout,
    channel,
    control,
    conversation,
    labs,
    privacy,
    progress,
    quiz,
    reflections,
    reports,
    surveys,
)
from bot.features.commands import Command, parse_action, parse_text
from bot.features.context import Context
from bot.rendering.i18n import supported

Handler = Callable[[Context, str], Awaitable[None]]

HANDLERS: dict[str, Handler] = {
    "help": basics.help_,
    "status": progress.status,
    "reflect": reflections.ask,
    "reflect_confirm": reflections.confirm,
    "reflect_again": reflections.again,
    "done": progress.done,
    "language": basics.language,
    "snooze": control.snooze,
    "pause": control.pause,
    "resume": control.resume,
    "survey": surveys.ask,
    "survey_answer": surveys.answer,
    "labs": labs.show,
    "labs_more": labs.more,
    "lab_pick": labs.pick,
    "lab_drop": labs.drop,
    "skip": basics.skip,
    "channel": channel.choose,
    "report": reports.report,
    "mydata": privacy.mydata,
    "forget": privacy.forget,
    "forget_yes": privacy.yes,
    "forget_no": privacy.no,
    "unknown": basics.unknown,
    "quiz": quiz.start,
    "quiz_retake": quiz.retake,
    "quiz_answer": quiz.answer,
    "quiz_pick": quiz.pick,
    "quiz_submit": quiz.submit,
    "bank": bank.browse,
    "bank_more": bank.more,
    "bank_show": bank.show,
    "bank_consent": bank_share.choose,
    "bank_share": bank_share.share,
    "bank_share_ref": bank_share.share_ref,
    "bank_delete": bank_share.delete,
    "bank_comment": bank_digilog.ask,
    "bank_flag": bank_digilog.flag,
    "bank_hide": bank_moderation.hide,
    "bank_unhide": bank_moderation.unhide,
    "buddy": buddies.command,
    "buddy_write": buddies.write,
    "buddy_off": buddy_optout.off,
    "buddy_off_yes": buddy_optout.yes,
    "buddy_off_no": buddy_optout.no,
    "buddy_on": buddy_optout.on,
    "buddy_checkin": buddy_checkins.answer,
    "broadcast": broadcasts_chat.start,
    "broadcast_to": broadcasts_chat.choose,
    "broadcast_send": broadcasts_chat.send,
    "broadcast_drop": broadcasts_chat.drop,
    "rsvp": broadcasts_chat.rsvp,
}

#: conversation kind -> who takes free text (anything not exactly a command) while it waits
ANSWERS: dict[str, Handler] = {
    conversation.REFLECTION: reflections.answer,
    conversation.REFLECTION_CONFIRM: reflections.answer,
    conversation.SURVEY: surveys.typed,
    conversation.QUIZ: quiz.typed,
    conversation.BANK_COMMENT: bank_digilog.typed,
    conversation.BANK_HIDE: bank_moderation.reason,
    conversation.FORGET: privacy.typed,
    conversation.BUDDY: buddies.answer,
    conversation.BROADCAST_TEXT: broadcasts_chat.typed,
    conversation.BROADCAST_CONFIRM: broadcasts_chat.typed,
}


class Dispatcher:
    def __init__(
        self,
        catalog: Catalog,
        fallback_locale: str = "nb",
        buddy_changes: Callable[[Any, Any, datetime], Awaitable[None]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.buddy_changes = buddy_changes  # the buddy-round listeners, for changes in chat
        self.fallback_locale = fallback_locale
        self.handlers = dict(HANDLERS)

    async def handle(
        self, store: StorePort, inbound: Inbound, person_id: int | None, now: datetime
    ) -> list[Outgoing]:
        """Route one inbound event; raises UserError for the caller's error funnel.

        While a conversation waits (a reflection prompt, say), a message is a command only if
        it is exactly one (``status``, ``språk sv``); anything else goes to the feature that
        waits, so an answer that starts with a command word is not lost."""
        if person_id is None:
            return [await self.stranger_reply(store, inbound)]
        person = await store.person(person_id, at=now)  # in the cohort running now
        if person is None:
            return [await self.stranger_reply(store, inbound)]
        waiting = await store.conversation(person.id)
        ctx = Context(
            store,
            self.catalog,
            person,
            inbound,
            now,
            conversation=waiting,
            buddy_changes=self.buddy_changes,
        )
        if inbound.action:
            await self._run(ctx, parse_action(inbound.action))
            return ctx.replies
        if inbound.media:  # a picture or a file: Kompis reads and passes on text only
            ctx.reply("media_refused", buddy=await buddies.meant_for_buddy(ctx))
            return ctx.replies
        if inbound.reply_to and await buddies.replied(ctx):
            return ctx.replies  # a reply to a buddy's message goes to the buddy
        command = parse_text(inbound.text)
        answers = ANSWERS.get(waiting.kind) if waiting else None
        if answers is not None and (command is None or not command.exact):
            await answers(ctx, inbound.text)
        elif command is not None:
            await self._run(ctx, command)
        else:
            await basics.free_text(ctx, inbound.text)
        return ctx.replies

    async def _run(self, ctx: Context, command: Command) -> None:
        handler = self.handlers.get(command.name)
        if handler is None:  # a button from an older version, or a forged action
            await basics.unknown(ctx, command.name)
        else:
            await handler(ctx, command.argument)

    async def stranger_reply(self, store: StorePort, inbound: Inbound) -> Outgoing:
        """Someone Kompis has no record of: say so, in their language, and how to join.

        Their language: the one the platform gives, when Kompis writes it; else the language
        of the cohort most people on the same platform and workspace belong to (a Slack team
        is one organisation's; on Telegram, the bot's busiest cohort); else the language
        every cohort shares; else ``fallback_locale`` (bokmål)."""
        address = Address(inbound.platform, inbound.chat_id, inbound.workspace)
        key = f"stranger:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}"
        return Outgoing(
            None,
            "unknown_person",
            {},
            key=key,
            address=address,
            locale=supported(inbound.locale_hint) or await self._local_locale(store, inbound),
        )

    async def _local_locale(self, store: StorePort, inbound: Inbound) -> str:
        cohort_id = await store.workspace_cohort(inbound.platform, inbound.workspace)
        if cohort_id is not None and cohort_id in self.catalog.cohorts:
            return self.catalog.cohort(cohort_id).locale
        shared = {cohort.locale for cohort in self.catalog.cohorts.values()}
        return shared.pop() if len(shared) == 1 else self.fallback_locale
