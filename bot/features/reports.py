"""``report`` (``rapport``) in chat: a coordinator sees their own organisation's progress,
an organiser the whole cohort's; everyone else is told politely that it is not for them.
The figures are ``kompis report progress``'s (bot.domain.progress_report)."""

from __future__ import annotations

from typing import Any

from bot.domain.people import Role
from bot.domain.progress_report import ProgressReport, progress_report
from bot.errors import UserError
from bot.features.context import Context

#: The most recent stages a chat report shows (the CLI shows them all).
CHAT_STAGES = 2


async def report(ctx: Context, argument: str) -> None:
    person = ctx.person
    if person.has(Role.ORGANISER):
        organisation = None
    elif person.has(Role.COORDINATOR) and person.organisation:
        organisation = person.organisation
    else:
        raise UserError("report_refused")
    people = await ctx.store.people_in_cohort(ctx.cohort.id)
    done = await ctx.store.completed(p.id for p in people)
    found = progress_report(
        ctx.programme, ctx.cohort, people, done, ctx.today, ctx.locale, organisation=organisation
    )
    ctx.reply("report", **report_params(found, organisation is not None))


def report_params(found: ProgressReport, own: bool) -> dict[str, Any]:
    """The last ``CHAT_STAGES`` stages opened, newest first: the total, then each
    organisation's figures (an organiser's report) or who has not started (a coordinator's)."""
    shown = list(range(len(found.columns)))[-CHAT_STAGES:][::-1]
    totals = found.totals
    stages = [
        {
            "module": found.columns[i].module_title,
            "stage": found.columns[i].stage_title,
            "done": totals[i].done,
            "total": totals[i].total,
            "percent": totals[i].percent,
            "organisations": []
            if own
            else [
                {
                    "name": row.name,
                    "done": row.cells[i].done,
                    "total": row.cells[i].total,
                    "percent": row.cells[i].percent,
                }
                for row in found.rows
                if row.cells[i].total
            ],
        }
        for i in shown
    ]
    nobody = own and not any(c.total for row in found.rows for c in row.cells)
    return {
        "organisation": found.rows[0].name if own and found.rows else None,
        "nobody": bool(nobody and found.columns),
        "round": found.round,
        "stages": stages,
        "not_started": list(found.rows[0].not_started) if own and found.rows else [],
        "not_started_count": sum(len(r.not_started) for r in found.rows),
    }
