"""``kompis bank export``: what a cohort shared, for a gathering's screen or wall.

Only what the whole cohort may read (``bank_access.may_read`` for ``Viewer.the_cohort``:
shared with the cohort, by name or anonymously, and not hidden), grouped by module and
question in programme order; an anonymous entry carries no author data at all. With
``--group``, named entries are those of the group's organisations; anonymous entries are
the cohort's and appear in every group's export, so the export says nothing of who wrote
them. Headings are in the cohort's language; answers as written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.domain.bank_access import Viewer, may_read, shows_author
from bot.domain.catalog import Catalog
from bot.domain.ports_bank import BankPort
from bot.domain.text import pick
from bot.rendering.i18n import N_
from bot.rendering.renderer import Renderer

FORMATS = ("md", "csv", "html")
HEADINGS = {
    "module": N_("Module"),
    "question": N_("Question"),
    "number": N_("Number"),
    "name": N_("Name"),
    "organisation": N_("Organisation"),
    "answer": N_("Answer"),
    "date": N_("Date"),
}
EMPTY = N_("Nothing has been shared with the cohort yet.")
#: a cell Excel would read as a formula
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """A filter names nothing in the cohort; the message says what to use instead."""


@dataclass(frozen=True)
class Row:
    module: str
    question: str
    number: int
    name: str
    organisation: str
    answer: str
    date: str


async def rows(
    store: BankPort,
    catalog: Catalog,
    cohort_id: str,
    locale: str,
    module: str | None = None,
    group: str | None = None,
) -> list[Row]:
    cohort = catalog.cohort(cohort_id)
    programme = catalog.programme_of(cohort_id)
    if module is not None and programme.module(module) is None:
        known = ", ".join(m.id for m in programme.modules)
        raise ExportError(f"--module {module!r} is not in {cohort_id}; use one of {known}")
    groups = {g.id for g in cohort.gathering_groups}
    if group is not None and group not in groups:
        raise ExportError(
            f"--group {group!r} is not in {cohort_id}; use one of {', '.join(sorted(groups))}"
        )
    order = {
        f"{m.id}/{s.id}/{a.id}": n
        for n, (m, s, a) in enumerate(
            (m, s, a) for m in programme.modules for s in m.stages for a in s.activities
        )
    }
    audience = Viewer.the_cohort(cohort_id)
    entries = [
        e
        for e in await store.bank_entries(cohort_id, f"{module}/" if module else "")
        if may_read(e.access, audience)
    ]
    found: list[tuple[int, datetime, Row]] = []
    for entry in entries:
        named = shows_author(entry.access)
        org = cohort.organisation(entry.organisation or "") if named else None
        if group is not None and named and (org is None or org.group != group):
            continue
        activity = programme.activity(entry.activity_ref)
        question = pick(activity[2].title, locale) if activity else entry.activity_ref
        title = pick(activity[0].title, locale) if activity else entry.module
        row = Row(
            title,
            question,
            entry.id,
            (entry.author_name or "") if named else "",
            org.name if org is not None else "",
            entry.text,
            entry.updated_at.astimezone(cohort.tz).date().isoformat(),
        )
        found.append((order.get(entry.activity_ref, len(order)), entry.created_at, row))
    return [row for _, _, row in sorted(found, key=lambda item: (item[0], item[1]))]


def _grouped(found: list[Row]) -> list[dict[str, Any]]:
    """Modules, each with its questions, each with its answers, in order."""
    modules: list[dict[str, Any]] = []
    for row in found:
        if not modules or modules[-1]["title"] != row.module:
            modules.append({"title": row.module, "questions": []})
        questions = modules[-1]["questions"]
        if not questions or questions[-1]["title"] != row.question:
            questions.append({"title": row.question, "answers": []})
        questions[-1]["answers"].append(row)
    return modules


def to_csv(found: list[Row], labels: dict[str, str], delimiter: str = ";") -> bytes:
    """UTF-8 with a BOM, semicolons (Nordic Excel) unless told otherwise; a cell that Excel
    would take as a formula starts with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([labels[key] for key in HEADINGS])
    for row in found:
        cells = [row.module, row.question, str(row.number), row.name, row.organisation]
        cells += [row.answer, row.date]
        writer.writerow(["'" + c if c.startswith(_FORMULA) else c for c in cells])
    return out.getvalue().encode("utf-8-sig")


def _md(text: str) -> str:
    """Literal text in Markdown: markup characters backslashed."""
    return "".join("\\" + c if c in "\\`*_{}[]<>#|" else c for c in text)


def to_markdown(found: list[Row], labels: dict[str, str], title: str) -> bytes:
    lines = [f"# {_md(title)}", ""]
    for module in _grouped(found):
        lines += [f"## {_md(module['title'])}", ""]
        for question in module["questions"]:
            lines += [f"### {_md(question['title'])}", ""]
            for row in question["answers"]:
                for part in row.answer.splitlines() or [""]:
                    lines.append(f"> {_md(part)}" if part.strip() else ">")
                who = ", ".join(p for p in (row.name, row.organisation) if p) or labels["anonymous"]
                lines += ["", f"— {_md(who)} ({row.number}, {row.date})", ""]
    return "\n".join(lines).encode("utf-8")


def to_html(found: list[Row], labels: dict[str, str], title: str, locale: str) -> bytes:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "rendering" / "exports"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = env.get_template("bank.html.j2").render(
        title=title, modules=_grouped(found), labels=labels, lang=locale
    )
    return page.encode("utf-8")


def render(
    found: list[Row], fmt: str, renderer: Renderer, locale: str, title: str, comma: bool = False
) -> bytes:
    labels = {key: renderer.gettext(locale, msgid) for key, msgid in HEADINGS.items()}
    labels["anonymous"] = renderer.gettext(locale, "anonymous")
    labels["empty"] = renderer.gettext(locale, EMPTY)
    if fmt == "csv":
        return to_csv(found, labels, "," if comma else ";")
    if fmt == "md":
        return to_markdown(found, labels, title)
    return to_html(found, labels, title, locale)
