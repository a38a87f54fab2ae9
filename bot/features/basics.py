"""Help, language and the answer to anything Kompis does not understand."""

from __future__ import annotations

from bot.domain.messages import Button
from bot.domain.text import LOCALES
from bot.errors import UserError
from bot.features.context import Context
from bot.rendering.i18n import N_, language_name


async def help_(ctx: Context, _argument: str) -> None:
    ctx.reply(
        "help",
        labs=bool(ctx.programme.labs) and ctx.cohort.max_labs > 0,
        name=ctx.person.name,
        buttons=(Button(N_("Status"), "status"), Button(N_("Answer a question"), "reflect")),
    )


async def unknown(ctx: Context, word: str) -> None:
    ctx.reply("unknown_command", word=word)


async def language(ctx: Context, argument: str) -> None:
    """``language`` lists the choices; ``language sv`` switches."""
    choice = argument.strip().lower()
    offered = [code for code in LOCALES if code in ctx.programme.locales]
    if not choice:
        ctx.reply(
            "language_choose",
            current=ctx.locale,
            buttons=tuple(Button(language_name(code), f"language:{code}") for code in offered),
        )
        return
    if choice not in offered:  # a language the programme lacks is not offered (see text.py)
        raise UserError("language_unknown", given=choice[:20], choices=offered)
    await ctx.store.update_person(ctx.person.id, locale=choice)
    ctx.person = type(ctx.person)(**{**ctx.person.__dict__, "locale": choice})
    ctx.reply("language_changed", language=choice)
