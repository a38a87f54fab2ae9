"""Consent per reflection: who may read an answer (only me, my buddy, the cohort with my
name, the cohort anonymously), chosen after the answer is saved and changeable later; and
deleting an answer. Every choice is kept with its time (``reflection_consent``).

When an answer becomes readable by the author's buddy with the author's name (``buddy`` or
``cohort``), the buddy is invited to comment on it (the digilog). An anonymous answer is
not announced to the buddy: that would tell them who wrote it. The invitation waits
``INVITE_AFTER`` and is composed when it goes out (``compose_invite``): an author who chooses
"only me" right after saving is never announced, and the buddy reads the answer as it is then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain.bank import BankEntry
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Visibility
from bot.errors import UserError
from bot.features.bank import port, readable_entry
from bot.features.bank_view import entry_params
from bot.features.context import Context
from bot.rendering.i18n import N_

#: the four choices, in the order the buttons show them
CHOICES = (
    (Visibility.PRIVATE, N_("Only me")),
    (Visibility.BUDDY, N_("My buddy")),
    (Visibility.COHORT, N_("The cohort, with my name")),
    (Visibility.ANONYMOUS, N_("The cohort, anonymously")),
)
NAMED_TO_BUDDY = (Visibility.BUDDY, Visibility.COHORT)
#: how long the buddy's invitation waits, so the author's first choice counts
INVITE_AFTER = timedelta(minutes=10)
INVITE = "bank_buddy_invite"


def consent_buttons(reflection_id: int, current: Visibility) -> tuple[Button, ...]:
    return tuple(
        Button(label, f"bank_share:{reflection_id}:{choice.value}")
        for choice, label in CHOICES
        if choice != current
    )


async def after_save(ctx: Context, ref: str, created: bool) -> tuple[int, Visibility]:
    """A new answer gets the cohort's ``bank_default`` as its first consent; returns the
    reflection's id and who may read it now."""
    store = port(ctx)
    reflection_id = await store.reflection_id(ctx.person.id, ref)
    assert reflection_id is not None
    if created:
        default = ctx.cohort.bank_default
        await store.set_visibility(reflection_id, default, ctx.now, source="default")
        await invite_buddies(ctx, reflection_id, Visibility.PRIVATE, default)
        return reflection_id, default
    entry = await store.bank_entry(reflection_id)
    assert entry is not None
    return reflection_id, entry.visibility


async def _own(ctx: Context, argument: str) -> BankEntry:
    """The author's own entry, or a clear no (a forged or forwarded button)."""
    entry = await readable_entry(ctx, argument)
    if entry.author_id != ctx.person.id:
        raise UserError("bank_not_yours")
    return entry


async def choose(ctx: Context, argument: str) -> None:
    """``bank_consent:<id>``: the choices, with the one in force named."""
    entry = await _own(ctx, argument)
    ctx.reply(
        "bank_consent",
        buttons=consent_buttons(entry.id, entry.visibility),
        entry=entry_params(ctx.catalog, entry, ctx.person.id),
        changed=False,
    )


async def share(ctx: Context, argument: str) -> None:
    """``bank_share:<id>:<visibility>``: from now on, everywhere (the bank, the buddy's
    view, App Home, exports made afterwards)."""
    number, _, wanted = argument.partition(":")
    entry = await _own(ctx, number)
    try:
        visibility = Visibility(wanted)
    except ValueError as exc:
        raise UserError("bank_unknown", number=number) from exc
    await port(ctx).set_visibility(entry.id, visibility, ctx.now)
    await invite_buddies(ctx, entry.id, entry.visibility, visibility)
    params = entry_params(ctx.catalog, entry, ctx.person.id) | {"visibility": visibility.value}
    ctx.reply(
        "bank_consent",
        buttons=consent_buttons(entry.id, visibility),
        entry=params,
        changed=True,
    )


async def invite_buddies(
    ctx: Context, reflection_id: int, before: Visibility, now_: Visibility
) -> None:
    """Tell the author's buddies about an answer newly readable by them with a name."""
    if now_ not in NAMED_TO_BUDDY or before in NAMED_TO_BUDDY:
        return
    store = port(ctx)
    invites = [
        Outgoing(
            buddy,
            INVITE,
            {"entry": {"number": reflection_id}},  # composed when it goes out (compose_invite)
            _invite_buttons(reflection_id),
            key=f"bank-invite:{reflection_id}:{buddy}",
        )
        for buddy in await store.current_buddies(ctx.person.id, ctx.person.cohort_id)
    ]
    await store.enqueue(invites, ctx.now, not_before=ctx.now + INVITE_AFTER)


def _invite_buttons(entry_id: int) -> tuple[Button, ...]:
    return (
        Button(N_("Comment"), f"bank_comment:{entry_id}"),
        Button(N_("Open %(number)s"), f"bank_show:{entry_id}", {"number": entry_id}),
    )


class _Queued(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def person_id(self) -> int | None: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def extras(self) -> dict[str, Any]: ...


async def compose_invite(store: Any, catalog: Any, item: _Queued, now: datetime) -> Outgoing | None:
    """The buddy's invitation as it goes out: only while the answer is still shared with the
    buddy by name, not hidden, and they are still buddies; else the row is skipped."""
    entry_id = int(item.params.get("entry", {}).get("number", 0))
    entry = await store.bank_entry(entry_id) if entry_id else None
    buddy = item.person_id
    still = (
        entry is not None
        and buddy is not None
        and entry.author_id is not None
        and entry.visibility in NAMED_TO_BUDDY
        and not entry.hidden
        and buddy in await store.current_buddies(entry.author_id, entry.cohort_id)
    )
    if not still:
        await store.finish(item.id, "skipped", now, "the answer is no longer shared with them")
        return None
    assert entry is not None and buddy is not None
    return Outgoing(
        buddy,
        INVITE,
        {"entry": entry_params(catalog, entry, buddy, excerpt=500)},
        _invite_buttons(entry.id),
        **Outgoing.extras_from(item.extras),
    )


async def delete(ctx: Context, argument: str) -> None:
    """``bank_delete:<id>`` asks first; ``bank_delete:<id>:yes`` deletes."""
    number, _, sure = argument.partition(":")
    entry = await _own(ctx, number)
    params = entry_params(ctx.catalog, entry, ctx.person.id, excerpt=200)
    if sure != "yes":
        ctx.reply(
            "bank_delete_confirm",
            buttons=(
                Button(N_("Yes, delete it"), f"bank_delete:{entry.id}:yes"),
                Button(N_("No, keep it"), f"bank_show:{entry.id}"),
            ),
            entry=params,
        )
        return
    await port(ctx).delete_reflection(entry.id)
    ctx.reply(
        "bank_deleted",
        entry=params,
        buttons=(Button(N_("Answer again"), f"reflect:{entry.activity_ref}"),),
    )


async def share_ref(ctx: Context, argument: str) -> None:
    """``bank_share_ref:<visibility>:<ref>``: the choice made in Slack's answer modal, for
    the answer just saved. Nothing to say when it is the one in force already, or when the
    answer is not saved (Kompis asked "is that your answer?" first)."""
    wanted, _, ref = argument.partition(":")
    reflection_id = await port(ctx).reflection_id(ctx.person.id, ref)
    if reflection_id is None:
        return
    entry = await port(ctx).bank_entry(reflection_id)
    if entry is None or entry.visibility.value == wanted:
        return
    await share(ctx, f"{reflection_id}:{wanted}")
