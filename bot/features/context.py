"""What a feature handler gets: the person, their cohort and programme, the store, the time."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.conversation import Conversation
from bot.domain.messages import Button, Inbound, Outgoing
from bot.domain.people import Person
from bot.domain.ports import StorePort
from bot.domain.programme import Programme
from bot.domain.text import language_for


@dataclass
class Context:
    store: StorePort
    catalog: Catalog
    person: Person
    inbound: Inbound
    now: datetime
    replies: list[Outgoing] = field(default_factory=list)
    #: what the person's next message answers, if Kompis is waiting for something
    conversation: Conversation | None = None
    #: tells the buddy-round listeners (introductions) of a change made in chat, as the
    #: planner does: ``BuddyRounds.notify`` (``bot.app``); None when nobody listens
    buddy_changes: Callable[[Any, Any, datetime], Awaitable[None]] | None = None

    @property
    def cohort(self) -> Cohort:
        return self.catalog.cohort(self.person.cohort_id)

    @property
    def programme(self) -> Programme:
        return self.catalog.programme_of(self.person.cohort_id)

    @property
    def today(self) -> date:
        """Today in the cohort's timezone."""
        return self.now.astimezone(self.cohort.tz).date()

    @property
    def locale(self) -> str:
        """The language of every reply: the person's, if the programme speaks it."""
        wanted = self.person.locale or self.cohort.locale
        return language_for(wanted, self.programme.locales, self.programme.default_locale)

    def reply(self, template: str, buttons: tuple[Button, ...] = (), **params: Any) -> None:
        base = self.inbound.event_id or uuid.uuid4().hex
        key = f"reply:{self.inbound.platform}:{base}:{len(self.replies)}"
        self.replies.append(Outgoing(self.person.id, template, params, buttons, key=key))
