"""Learning labs (lärlabb): list the programme's catalogue, choose up to the cohort's limit,
change the choice. Chosen labs' tasks then join the person's status and reminders."""

from __future__ import annotations

from typing import Any

from bot.domain.messages import Button
from bot.domain.programme import LabKind
from bot.errors import UserError
from bot.features.context import Context
from bot.rendering.i18n import N_


def _available(ctx: Context) -> bool:
    return bool(ctx.programme.labs) and ctx.cohort.max_labs > 0


#: Labs per message at most: a phone screen's worth, one button each plus "more".
PAGE_SIZE = 3


async def show(ctx: Context, argument: str) -> None:
    """``labs`` lists the catalogue a page at a time; ``labs 3`` or ``labs <id>`` picks or drops
    that lab (numbers count through the whole catalogue, not the page)."""
    if not _available(ctx):
        ctx.reply("labs_none")
        return
    if argument.strip():
        lab_id = _lab_id(ctx, argument.strip())
        await (drop(ctx, lab_id) if lab_id in ctx.person.labs else pick(ctx, lab_id))
        return
    _page(ctx, 1)


async def more(ctx: Context, argument: str) -> None:
    """``labs_more:<page>`` from the "more labs" button."""
    if not _available(ctx):
        ctx.reply("labs_none")
        return
    _page(ctx, int(argument) if argument.isdigit() else 1)


def _page(ctx: Context, page: int) -> None:
    catalogue = ctx.programme.labs
    pages = -(-len(catalogue) // PAGE_SIZE)
    page = min(max(page, 1), pages)
    # Pages as even as they can be (10 labs: 2, 3, 2, 3), so none holds a lonely last lab.
    start, end = (page - 1) * len(catalogue) // pages, page * len(catalogue) // pages
    shown = catalogue[start:end]
    chosen = set(ctx.person.labs)
    full = len(chosen) >= ctx.cohort.max_labs
    groups = []
    for kind in LabKind:
        labs = [lab for lab in shown if lab.kind == kind]
        if labs:
            groups.append(
                {
                    "kind": kind.value,
                    "labs": [
                        {
                            "number": catalogue.index(lab) + 1,
                            "title": lab.title,
                            "summary": lab.summary,
                            "chosen": lab.id in chosen,
                        }
                        for lab in labs
                    ],
                }
            )
    buttons = [
        Button(N_("Drop: %(title)s"), f"lab_drop:{lab.id}", {"title": lab.title})
        if lab.id in chosen
        else Button(N_("Choose: %(title)s"), f"lab_pick:{lab.id}", {"title": lab.title})
        for lab in shown
        if lab.id in chosen or not full
    ]
    if page < pages:
        buttons.append(Button(N_("More labs"), f"labs_more:{page + 1}"))
    ctx.reply(
        "labs_list",
        buttons=tuple(buttons),
        labs=ctx.programme.labs_title,
        max=ctx.cohort.max_labs,
        count=len(chosen),
        groups=groups,
        page=page,
        pages=pages,
        first=start + 1,
        last=end,
        total=len(catalogue),
    )


def _lab_id(ctx: Context, given: str) -> str:
    labs = ctx.programme.labs
    if given.isdigit() and 1 <= int(given) <= len(labs):
        return labs[int(given) - 1].id
    if ctx.programme.lab(given.lower()) is None:
        raise UserError("labs_unknown", given=given[:30])
    return given.lower()


async def pick(ctx: Context, lab_id: str) -> None:
    if not _available(ctx):
        raise UserError("labs_none")
    lab = ctx.programme.lab(lab_id)
    if lab is None:
        raise UserError("labs_unknown", given=lab_id[:30])
    if lab_id not in ctx.person.labs and len(ctx.person.labs) >= ctx.cohort.max_labs:
        raise UserError("labs_full", max=ctx.cohort.max_labs, chosen=_titles(ctx, ctx.person.labs))
    await ctx.store.choose_lab(ctx.person.id, lab_id, ctx.now)
    _changed(ctx, (*[x for x in ctx.person.labs if x != lab_id], lab_id))


async def drop(ctx: Context, lab_id: str) -> None:
    if ctx.programme.lab(lab_id) is None:
        raise UserError("labs_unknown", given=lab_id[:30])
    await ctx.store.drop_lab(ctx.person.id, lab_id)
    _changed(ctx, tuple(x for x in ctx.person.labs if x != lab_id))


def _titles(ctx: Context, lab_ids: tuple[str, ...]) -> list[dict[str, str]]:
    return [lab.title for lab_id in lab_ids if (lab := ctx.programme.lab(lab_id)) is not None]


def _changed(ctx: Context, chosen: tuple[str, ...]) -> None:
    window = ctx.cohort.labs
    params: dict[str, Any] = {
        "chosen": _titles(ctx, chosen),
        "max": ctx.cohort.max_labs,
        "due": window.due.isoformat() if window else None,
    }
    ctx.reply(
        "labs_changed",
        buttons=(Button(N_("All labs"), "labs"), Button(N_("Status"), "status")),
        **params,
    )
