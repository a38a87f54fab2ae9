"""How the bank looks in a message: who is reading (``viewer``), and entries and threads as
template parameters. Every path that shows an entry builds it here, through the one policy
in ``bot.domain.bank_access``, so an anonymous entry never carries a name or an
organisation, in the text or in a button."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.bank import BankEntry, Comment
from bot.domain.bank_access import Viewer, may_read, shows_author
from bot.domain.catalog import Catalog
from bot.domain.people import Person
from bot.domain.ports_bank import BankPort

#: a listing shows this much of a long answer; the entry itself shows all of it
EXCERPT = 500


async def viewer(store: BankPort, person_id: int, cohort_id: str) -> Viewer:
    """The person as a reader of ``cohort_id``'s bank (no roles there: not a member)."""
    person = await store.person(person_id, cohort_id=cohort_id)
    if person is None:
        return Viewer(person_id, cohort_id)
    buddies = await store.current_buddies(person_id, cohort_id)
    return Viewer(person_id, cohort_id, person.roles, person.organisation, frozenset(buddies))


def readable(entries: list[BankEntry], reader: Viewer) -> list[BankEntry]:
    return [entry for entry in entries if may_read(entry.access, reader)]


def entry_params(
    catalog: Catalog,
    entry: BankEntry,
    reader_id: int | None,
    excerpt: int | None = None,
    comments: list[Comment] | None = None,
) -> dict[str, Any]:
    """One entry as JSON-ready template parameters: the prompt's title in every language
    (the reader's is picked at render time), the answer as written, the author's name and
    organisation only where ``shows_author`` allows."""
    programme = catalog.programme_of(entry.cohort_id)
    found = programme.activity(entry.activity_ref)
    title: Any = found[2].title if found else entry.activity_ref
    module: Any = found[0].title if found else entry.module
    named = shows_author(entry.access)
    org = catalog.cohort(entry.cohort_id).organisation(entry.organisation or "")
    text = entry.text
    if excerpt is not None and len(text) > excerpt:
        text = text[: excerpt - 1].rstrip() + "…"
    params: dict[str, Any] = {
        "number": entry.id,
        "title": title,
        "module": module,
        "author": (entry.author_name or None) if named else None,
        "organisation": org.name if named and org is not None else None,
        "mine": reader_id is not None and reader_id == entry.author_id,
        "text": text,
        "visibility": entry.visibility.value,
        "hidden": entry.hidden,
        "reason": entry.hidden_reason or "",
    }
    if comments is not None:
        params["comments"] = [comment_params(entry, c, reader_id) for c in comments]
    return params


def comment_params(entry: BankEntry, comment: Comment, reader_id: int | None) -> dict[str, Any]:
    """A comment: its writer's name, except the author's own answer under an anonymous
    entry, which says only "the author"."""
    by_author = comment.person_id == entry.author_id
    return {
        "who": None if by_author and not shows_author(entry.access) else comment.author_name,
        "by_author": by_author,
        "mine": reader_id == comment.person_id,
        "text": comment.text,
        "day": comment.created_at.date().isoformat(),
    }


def current_module(catalog: Catalog, person: Person, today: date) -> str | None:
    """The module whose first stage opened last by ``today`` (before any: the first)."""
    cohort = catalog.cohort(person.cohort_id)
    opened = [
        (min(s.opens for s in m.stages.values()), m.module) for m in cohort.modules if m.stages
    ]
    if not opened:
        return None
    started = [item for item in opened if item[0] <= today]
    return max(started)[1] if started else min(opened)[1]
