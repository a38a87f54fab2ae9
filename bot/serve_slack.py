"""What the Slack transport asks of Kompis, answered from the database and the renderer:
a workspace that is gone, the answer modal's texts and question, the App Home content.

The transport stays free of storage and features; ``bot.serve`` builds this and hands it
over as the transport's ``SlackHooks``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, time
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.cohort import Gathering
from bot.domain.messages import Inbound, Outgoing, Rendered
from bot.domain.people import Person
from bot.domain.programme import ActivityKind
from bot.domain.progress import next_open
from bot.domain.text import pick
from bot.features import bank, progress
from bot.features.context import Context
from bot.rendering.i18n import N_, negotiate
from bot.rendering.renderer import Renderer
from bot.storage.db import Database
from bot.storage.repo import Store, unit

PLATFORM = "slack"
#: a person's Slack account by e-mail: (user id, DM channel, Slack locale), or None
Lookup = Callable[[str], Awaitable[tuple[str, str, str | None] | None]]
#: the answer modal's texts (msgids)
FORM_LABELS = {
    "title": N_("Your answer"),
    "label": N_("Write your answer here"),
    "submit": N_("Save"),
    "close": N_("Cancel"),
    "share": N_("Who may read it?"),
    "private": N_("Only me"),
    "buddy": N_("My buddy"),
    "cohort": N_("The cohort, with my name"),
    "anonymous": N_("The cohort, anonymously"),
}


class SlackServices:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        renderer: Renderer,
        clock: Clock,
        default_locale: str,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.renderer = renderer
        self.clock = clock
        self.default_locale = default_locale

    async def workspace_gone(self, workspace: str, reason: str) -> None:
        """Everyone in the workspace becomes unreachable there, with the reason."""
        async with unit(self.db) as store:
            await store.mark_workspace_unreachable(PLATFORM, workspace, reason, self.clock.now())

    async def match_by_email(self, workspace: str, lookup: Lookup) -> int:
        """Link the people of every cohort who have no Slack account yet to the one with
        their e-mail in ``workspace``, and welcome each in their language with what is due;
        returns how many were linked. People not found there can still ``join CODE``."""
        async with unit(self.db) as store:
            ids: list[int] = []
            for cohort in self.catalog.cohorts:
                ids += await store.people_without_identity(cohort, PLATFORM)
            people = await store.people(ids)
        linked = 0
        for person in people.values():
            if not person.email:
                continue
            found = await lookup(person.email)
            if found is not None:
                await self._link(person.id, workspace, *found)
                linked += 1
        return linked

    async def _link(
        self, person_id: int, workspace: str, user: str, chat: str, hint: str | None
    ) -> None:
        now = self.clock.now()
        async with unit(self.db) as store:
            await store.link_identity(person_id, PLATFORM, user, chat, now, workspace)
            person = await store.person(person_id, at=now)
            if person is None:
                return
            if person.locale is None and hint:
                locale = negotiate(hint, self.catalog.cohort(person.cohort_id).locale)
                await store.update_person(person.id, locale=locale)
                person = type(person)(**{**person.__dict__, "locale": locale})
            inbound = Inbound(
                PLATFORM, user, chat, event_id=f"email:{workspace}:{user}", workspace=workspace
            )
            ctx = Context(store, self.catalog, person, inbound, now)
            ctx.reply("welcome", name=person.name, programme=ctx.programme.title)
            await progress.status(ctx, "")
            await store.enqueue(ctx.replies, now)

    async def _person(self, store: Store, workspace: str, user: str) -> Person | None:
        found = await store.person_for_identity(PLATFORM, user, workspace)
        return await store.person(found, at=self.clock.now()) if found is not None else None

    def _context(self, store: Store, person: Person, workspace: str, user: str) -> Context:
        inbound = Inbound(PLATFORM, user, "", workspace=workspace)
        return Context(store, self.catalog, person, inbound, self.clock.now())

    async def answer_form(
        self, workspace: str, user: str, action: str, locale_hint: str | None
    ) -> dict[str, str]:
        """The modal's texts in the person's language, and the question it answers (the
        one ``action``, ``reflect`` or ``reflect:<ref>``, asks)."""
        question, share = "", {}
        locale = negotiate(locale_hint, self.default_locale)
        async with unit(self.db) as store:
            person = await self._person(store, workspace, user)
            if person is not None:
                ctx = self._context(store, person, workspace, user)
                locale = ctx.locale
                ref = await self._ref(ctx, action.partition(":")[2])
                question = self._question(ctx, ref)
                if question:
                    share = await self._share(store, ctx, ref)
        form = {key: self.renderer.gettext(locale, msgid) for key, msgid in FORM_LABELS.items()}
        return form | {"question": question} | share

    async def _share(self, store: Store, ctx: Context, ref: str) -> dict[str, str]:
        """The modal's choice of who may read the answer: the one in force for an answer
        already given, else the cohort's ``bank_default``."""
        found = await store.reflection_id(ctx.person.id, ref)
        entry = await store.bank_entry(found) if found is not None else None
        visibility = entry.visibility if entry is not None else ctx.cohort.bank_default
        return {"ref": ref, "visibility": visibility.value}

    async def _ref(self, ctx: Context, ref: str) -> str:
        """The prompt the modal answers: the one named, else the next open one."""
        if not ref:
            item = next_open(await progress.statuses(ctx), ctx.today)
            return item.ref if item is not None else ""
        return ref

    def _question(self, ctx: Context, ref: str) -> str:
        if not ref:
            return ""
        found = ctx.programme.activity(ref)
        if found is None or found[2].kind != ActivityKind.REFLECTION or not found[2].body:
            return ""
        return pick(found[2].body, ctx.locale, ctx.cohort.locale)

    async def home(
        self, workspace: str, user: str, locale_hint: str | None
    ) -> tuple[Rendered, str | None]:
        """The App Home content: the person's status (module and stage, what is due by
        when, done or not, what comes next), their next gathering, the latest answers
        others shared with them in the reflection bank, and their DM channel for the
        buttons; for someone Kompis does not know, how to join."""
        async with unit(self.db) as store:
            person = await self._person(store, workspace, user)
            if person is None:
                locale = negotiate(locale_hint, self.default_locale)
                return self.renderer.render(Outgoing(None, "unknown_person"), locale), None
            ctx = self._context(store, person, workspace, user)
            await progress.status(ctx, "")
            status = ctx.replies[-1]
            await bank.latest(ctx)  # the latest answers others shared with this person
            groups = await store.organisation_groups(person.cohort_id)
            gathering = next_gathering(ctx, groups.get(person.organisation or ""))
            chat = next(
                (
                    i.chat_id
                    for i in await store.identities(person.id)
                    if i.platform == PLATFORM and i.workspace == workspace
                ),
                None,
            )
        shown = self.renderer.render(status, ctx.locale)
        if gathering is not None:  # the part the evening-before reminder shows, as is
            parts = Outgoing(None, "daily", {"parts": [gathering], "late": False})
            part = self.renderer.render(parts, ctx.locale)
            shown = replace(shown, text=f"{shown.text}\n\n{part.text}")
        if ctx.replies[-1] is not status:
            latest = self.renderer.render(ctx.replies[-1], ctx.locale)
            shown = replace(shown, text=f"{shown.text}\n\n{latest.text}")
        return shown, chat


def next_gathering(ctx: Context, group: str | None) -> dict[str, Any] | None:
    """The next gathering (today or later) of the person's gathering group: the module,
    date, time and place; ``None`` without a group or when none is left."""
    if group is None:
        return None
    found: list[tuple[date, time, str, Gathering]] = [
        (g.date, g.start, m.module, g)
        for m in ctx.cohort.modules
        for g in m.gatherings
        if g.group == group and g.date >= ctx.today
    ]
    if not found:
        return None
    day, start, module_id, gathering = min(found, key=lambda f: (f[0], f[1]))
    module = ctx.programme.module(module_id)
    return {
        "template": "gathering_eve",
        "module": module.title if module is not None else module_id,
        "date": day.isoformat(),
        "start": start.isoformat("minutes"),
        "end": gathering.end.isoformat("minutes"),
        "place": gathering.place,
        "pre_work": False,  # the Home shows when and where, not the eve's advice
    }
