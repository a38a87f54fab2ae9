"""Help, language, skipping a question, and the answer to anything Kompis does not understand
(which is always help, never silence)."""

from __future__ import annotations

from bot.domain.messages import Button
from bot.domain.people import Role
from bot.domain.text import LOCALES
from bot.errors import UserError
from bot.features import conversation
from bot.features.context import Context
from bot.rendering.i18n import N_, language_choice, language_name

HELP_BUTTONS = (Button(N_("Help"), "help"), Button(N_("Status"), "status"))


async def help_(ctx: Context, _argument: str) -> None:
    ctx.reply(
        "help",
        labs=bool(ctx.programme.labs) and ctx.cohort.max_labs > 0,
        report=ctx.person.has(Role.COORDINATOR) or ctx.person.has(Role.ORGANISER),
        broadcast=ctx.person.has(Role.ORGANISER) or ctx.person.has(Role.COORDINATOR),
        name=ctx.person.name,
        buttons=(Button(N_("Status"), "status"), Button(N_("Answer a question"), "reflect")),
    )


async def unknown(ctx: Context, word: str) -> None:
    ctx.reply("unknown_command", word=word[:30], buttons=HELP_BUTTONS)


async def free_text(ctx: Context, text: str) -> None:
    """A message that is no command while nothing waits for an answer. A bare number is a
    button pressed by typing (as the console does): with no button to press, say so."""
    stripped = text.strip()
    if stripped.isdigit() and len(stripped) <= 3:
        ctx.reply("no_button", number=stripped, buttons=HELP_BUTTONS)
        return
    await unknown(ctx, stripped.split(" ", 1)[0])


def _language_buttons(codes: tuple[str, ...] = LOCALES) -> tuple[Button, ...]:
    return tuple(Button(language_name(code), f"language:{code}") for code in codes)


async def language(ctx: Context, argument: str) -> None:
    """``language`` lists the choices; ``language sv``, ``språk svenska``, ``språk English``
    switch; ``språk norsk`` asks which Norwegian. Only the languages the programme is written
    in are offered (see ``bot.domain.text``)."""
    given = argument.strip()
    offered = tuple(code for code in LOCALES if code in ctx.programme.locales)
    if not given:
        ctx.reply("language_choose", current=ctx.locale, buttons=_language_buttons(offered))
        return
    codes = tuple(code for code in language_choice(given) if code in offered)
    if not codes:
        raise UserError(
            "language_unknown",
            buttons=_language_buttons(offered),
            given=given[:20],
            choices=[language_name(code) for code in offered],
        )
    if len(codes) > 1:
        ctx.reply("language_which", given=given[:20], buttons=_language_buttons(codes))
        return
    choice = codes[0]
    await ctx.store.update_person(ctx.person.id, locale=choice)
    ctx.person = type(ctx.person)(**{**ctx.person.__dict__, "locale": choice})
    ctx.reply("language_changed", language=choice)


async def skip(ctx: Context, _argument: str) -> None:
    """``skip`` / ``hopp over`` / ``hoppa över``: stop waiting for an answer."""
    kind = ctx.conversation.kind if ctx.conversation else None
    if not await conversation.end(ctx):
        ctx.reply("skip_nothing", buttons=HELP_BUTTONS)
        return
    question = kind in (conversation.REFLECTION, conversation.REFLECTION_CONFIRM)
    ctx.reply(
        "skipped",
        reflection=question,
        buttons=(Button(N_("Answer a question"), "reflect"),) if question else HELP_BUTTONS,
    )
