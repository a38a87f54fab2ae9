"""Reflection prompts answered in chat: ask the next one, store the answer, allow edits.

Asking starts the ``reflection`` conversation: the person's next message that is not exactly
a command is the answer. An answer of only an emoji or one character is probably not meant
as one, so Kompis asks first ("is that your answer?") before ticking the task off.
"""

from __future__ import annotations

from bot.domain.messages import Button
from bot.domain.programme import Activity, ActivityKind
from bot.domain.progress import next_open
from bot.errors import UserError
from bot.features import bank_share, conversation
from bot.features.context import Context
from bot.features.progress import statuses
from bot.rendering.i18n import N_

MAX_ANSWER = 4000
#: typed while Kompis asks "is that your answer?": yes, save it
_YES = {"yes", "y", "ja", "j", "jo", "japp", "ok", "okay", "okei"}


async def ask(ctx: Context, argument: str) -> None:
    """``reflect`` asks the next unanswered prompt; ``reflect <module/stage/activity>`` a given
    one (also to change an answer already given)."""
    ref = argument.strip()
    if ref:
        found = ctx.programme.activity(ref)
        if found is None or found[2].kind != ActivityKind.REFLECTION:
            raise UserError("reflect_unknown")
    else:
        item = next_open(await statuses(ctx), ctx.today)
        if item is None:
            ctx.reply("reflect_none", buttons=(Button(N_("Status"), "status"),))
            return
        ref = item.ref
    await _prompt(ctx, ref)


async def _prompt(ctx: Context, ref: str) -> None:
    found = ctx.programme.activity(ref)
    assert found is not None
    module, stage, activity = found
    await conversation.start(ctx, conversation.REFLECTION, ref=ref)
    ctx.reply(
        "reflection_prompt",
        ref=ref,  # a reply to this message answers this prompt (bot.receiver)
        module=module.title,
        stage=stage.title,
        title=activity.title,
        prompt=activity.body,
    )


def _pending(ctx: Context) -> tuple[str, Activity] | None:
    waiting = conversation.waiting(ctx, conversation.REFLECTION, conversation.REFLECTION_CONFIRM)
    ref = str(waiting.data.get("ref", "")) if waiting else ""
    found = ctx.programme.activity(ref) if ref else None
    return (ref, found[2]) if found else None


def is_too_short(text: str) -> bool:
    """Only an emoji, a sign or one character: probably not meant as the answer."""
    return len(text) <= 1 or not any(char.isalnum() for char in text)


async def answer(ctx: Context, text: str) -> None:
    """Free text while a prompt is pending: that is the answer (or, while Kompis asks about a
    very short one, a "yes" confirms it and anything else is the new answer)."""
    pending = _pending(ctx)
    if pending is None:
        # The question is gone from the programme: stop waiting for it.
        await conversation.end(ctx)
        ctx.reply("reflect_unknown")
        return
    ref, activity = pending
    answer_text = text.strip()
    waiting = conversation.waiting(ctx, conversation.REFLECTION_CONFIRM)
    if waiting and answer_text.lower().rstrip(".!") in _YES:
        await _save(ctx, ref, activity, str(waiting.data.get("text", "")))
        return
    if not answer_text:
        raise UserError("reflection_empty")
    if len(answer_text) > MAX_ANSWER:
        raise UserError("reflection_too_long", limit=MAX_ANSWER, length=len(answer_text))
    if is_too_short(answer_text):
        await conversation.start(ctx, conversation.REFLECTION_CONFIRM, ref=ref, text=answer_text)
        ctx.reply(
            "reflection_confirm",
            answer=answer_text,
            title=activity.title,
            buttons=(
                Button(N_("Yes, save it"), "reflect_confirm"),
                Button(N_("Write again"), "reflect_again"),
            ),
        )
        return
    await _save(ctx, ref, activity, answer_text)


async def confirm(ctx: Context, _argument: str) -> None:
    """The "yes, save it" button under "is that your answer?"."""
    waiting = conversation.waiting(ctx, conversation.REFLECTION_CONFIRM)
    pending = _pending(ctx)
    if waiting is None or pending is None:
        raise UserError("reflect_unknown")
    await _save(ctx, pending[0], pending[1], str(waiting.data.get("text", "")))


async def again(ctx: Context, _argument: str) -> None:
    """The "write again" button: the question again, waiting for the real answer."""
    pending = _pending(ctx)
    if pending is None:
        raise UserError("reflect_unknown")
    await _prompt(ctx, pending[0])


async def _save(ctx: Context, ref: str, activity: Activity, answer_text: str) -> None:
    created = await ctx.store.save_reflection(ctx.person, ref, answer_text, ctx.now)
    await ctx.store.mark_done(ctx.person.id, ref, "reflection", ctx.now)
    await conversation.end(ctx)
    reflection_id, visibility = await bank_share.after_save(ctx, ref, created)
    more = next_open(await statuses(ctx), ctx.today) is not None
    buttons = (Button(N_("Next question"), "reflect"),) if more else ()
    ctx.reply(
        "reflection_saved",
        title=activity.title,
        updated=not created,
        chars=len(answer_text),
        more=more,
        visibility=visibility.value,
        buttons=(
            *bank_share.consent_buttons(reflection_id, visibility),
            *buttons,
            Button(N_("Status"), "status"),
        ),
    )
