"""The one entry point for everything a person does: identify, route, reply."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.catalog import Catalog
from bot.domain.messages import Address, Inbound, Outgoing
from bot.domain.ports import StorePort
from bot.features import basics, channel, control, labs, progress, reflections, surveys
from bot.features.commands import Command, parse_action, parse_text
from bot.features.context import Context
from bot.rendering.i18n import negotiate

Handler = Callable[[Context, str], Awaitable[None]]

HANDLERS: dict[str, Handler] = {
    "help": basics.help_,
    "status": progress.status,
    "reflect": reflections.ask,
    "done": progress.done,
    "language": basics.language,
    "snooze": control.snooze,
    "pause": control.pause,
    "resume": control.resume,
    "survey": surveys.ask,
    "survey_answer": surveys.answer,
    "labs": labs.show,
    "lab_pick": labs.pick,
    "lab_drop": labs.drop,
    "channel": channel.choose,
    "unknown": basics.unknown,
}


class Dispatcher:
    def __init__(self, catalog: Catalog, default_locale: str = "nb") -> None:
        self.catalog = catalog
        self.default_locale = default_locale
        self.handlers = dict(HANDLERS)

    async def handle(
        self, store: StorePort, inbound: Inbound, person_id: int | None, now: datetime
    ) -> list[Outgoing]:
        """Route one inbound event; raises UserError for the caller's error funnel."""
        if person_id is None:
            return [self.stranger_reply(inbound)]
        person = await store.person(person_id, at=now)  # in the cohort running now
        if person is None:
            return [self.stranger_reply(inbound)]
        ctx = Context(store, self.catalog, person, inbound, now)
        command = self._command(inbound, has_pending=person.pending_activity is not None)
        if command is None:
            await reflections.answer(ctx, inbound.text)
        else:
            await self.handlers.get(command.name, basics.unknown)(ctx, command.argument)
        return ctx.replies

    def _command(self, inbound: Inbound, has_pending: bool) -> Command | None:
        if inbound.action:
            return parse_action(inbound.action)
        command = parse_text(inbound.text)
        if command is None and not has_pending:
            return Command("unknown", inbound.text.strip().split(" ", 1)[0][:30])
        return command

    def stranger_reply(self, inbound: Inbound) -> Outgoing:
        """Someone Kompis has no record of: say so, in their language, and how to join."""
        address = Address(inbound.platform, inbound.chat_id, inbound.workspace)
        key = f"stranger:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}"
        return Outgoing(
            None,
            "unknown_person",
            {},
            key=key,
            address=address,
            locale=negotiate(inbound.locale_hint, self.default_locale),
        )
