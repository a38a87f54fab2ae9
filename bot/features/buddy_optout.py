"""A leader opts out of having a learning buddy in chat, and back in.

``buddy off`` (``kompis av|stopp``) asks first, naming the buddy and saying that they get a
new one; on yes the person is left out of pairing (reason "self"), their group ends and the
buddy is re-paired and told (``buddy_membership.step_out``). A person with no buddy just has
the choice recorded. ``buddy on`` (``kompis på``) takes it back and places them at once in the
running round, saying what happens now. A person an organiser took out of pairing is not let
back in by chat: the organiser chose it, so they are asked to talk to the organiser.
"""

from __future__ import annotations

from typing import cast

from bot.domain.messages import Button
from bot.domain.ports_pairing import PairingPort
from bot.features import buddy_membership
from bot.features.context import Context
from bot.rendering.i18n import N_

SELF, UNPAIRED = "self", "unpaired"
AGAIN = N_("I want a buddy again")


def again_button() -> Button:
    return Button(AGAIN, "buddy_on")


def _store(ctx: Context) -> PairingPort:
    return cast(PairingPort, ctx.store)


async def _choice(ctx: Context) -> str | None:
    """ "self", "unpaired", or None: the person is in pairing."""
    return (await _store(ctx).buddy_opt_outs(ctx.person.cohort_id)).get(ctx.person.id)


async def _buddy_names(ctx: Context) -> list[str]:
    store = _store(ctx)
    group = await store.buddy_group_of(ctx.person.id, ctx.person.cohort_id)
    names = []
    for member in group.members if group else ():
        if member != ctx.person.id and (person := await store.person(member)) is not None:
            names.append(person.name)
    return names


async def off(ctx: Context, _argument: str) -> None:
    """``buddy off``: ask first when there is a buddy to leave; else just record it."""
    choice = await _choice(ctx)
    if choice is not None:
        await _already_out(ctx, choice)
        return
    names = await _buddy_names(ctx)
    if not names:
        await _store(ctx).set_buddy_opt_out(ctx.person.cohort_id, ctx.person.id, True, ctx.now)
        ctx.reply("buddy_off_done", names=[], buttons=(again_button(),))
        return
    ctx.reply(
        "buddy_off_confirm",
        names=names,
        buttons=(
            Button(N_("Yes, stop"), "buddy_off_yes"),
            Button(N_("No, keep my buddy"), "buddy_off_no"),
        ),
    )


async def yes(ctx: Context, _argument: str) -> None:
    """The "Yes, stop" button: out of pairing; the buddy is re-paired and told."""
    choice = await _choice(ctx)
    if choice is not None:  # a second tap, or an organiser was quicker
        await _already_out(ctx, choice)
        return
    store = _store(ctx)
    names = await _buddy_names(ctx)
    group = await store.buddy_group_of(ctx.person.id, ctx.person.cohort_id)
    if group is None:
        await store.set_buddy_opt_out(ctx.person.cohort_id, ctx.person.id, True, ctx.now)
    else:
        await buddy_membership.step_out(
            store, ctx.cohort, ctx.person, group, ctx.now, SELF, ctx.buddy_changes
        )
    ctx.reply("buddy_off_done", names=names, buttons=(again_button(),))


async def no(ctx: Context, _argument: str) -> None:
    """The "No, keep my buddy" button."""
    ctx.reply("buddy_off_kept", names=await _buddy_names(ctx))


async def _already_out(ctx: Context, choice: str) -> None:
    if choice == UNPAIRED:
        ctx.reply("buddy_unpaired")
    else:
        ctx.reply("buddy_off_already", buttons=(again_button(),))


async def on(ctx: Context, _argument: str) -> None:
    """``buddy on`` or the "I want a buddy again" button: back in pairing, placed at once
    in the running round when it is made."""
    choice = await _choice(ctx)
    if choice == UNPAIRED:
        ctx.reply("buddy_unpaired")
        return
    if choice is None:
        ctx.reply("buddy_on_already", names=await _buddy_names(ctx))
        return
    store = _store(ctx)
    await store.set_buddy_opt_out(ctx.person.cohort_id, ctx.person.id, False, ctx.now)
    change = await buddy_membership.step_in(store, ctx.cohort, ctx.person, ctx.now)
    if ctx.buddy_changes is not None:
        await ctx.buddy_changes(store, change, ctx.now)
    what = buddy_membership.outcome(ctx.cohort, ctx.person.id, change, ctx.now)
    ctx.reply("buddy_on_done", (), **what)


async def no_buddy_reason(ctx: Context) -> tuple[str, tuple[Button, ...]]:
    """Why this person has no buddy, for the relay: chose none (and how to get one again),
    taken out by an organiser, or simply none yet."""
    choice = await _choice(ctx)
    if choice == SELF:
        return "buddy_off_already", (again_button(),)
    if choice == UNPAIRED:
        return "buddy_unpaired", ()
    return "buddy_none", ()
