"""Erasing a person: every row that names them, and the rows hanging off those, in one go.

The walk follows the foreign keys (``bot.storage.personal``), children before parents, so it
does not depend on each table's ``ondelete`` (a key declared ``SET NULL`` is cleared, not
deleted). Two exceptions keep a row without its author: a reflection shared anonymously
(``KEEP_WITHOUT_AUTHOR``) and a sent message that mentioned the person (its copy of their
name or e-mail is scrubbed instead). A pending message to someone else that names them is
not sent at all.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.outbox import OutboxStatus
from bot.storage.personal import (
    PERSON,
    links_to,
    names_person,
    person_columns,
    table,
    tables,
    text_columns,
)

#: table -> the rows of a forgotten author that stay, without the author
KEEP_WITHOUT_AUTHOR: dict[str, Callable[[Table], ColumnElement[bool]]] = {
    "reflection": lambda of: of.c.visibility == "anonymous",
}
#: what a scrubbed name or e-mail reads as
SCRUBBED = "[removed]"
#: shorter names are not scrubbed from other rows (they would match ordinary words)
MIN_NAME = 4
KEPT = "kept without author"


async def _count(db: AsyncConnection, statement: Any) -> int:
    result = await db.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def remove(
    db: AsyncConnection,
    of: Table,
    where: ColumnElement[bool],
    counts: Counter[str],
    path: tuple[str, ...] = (),
) -> None:
    """Delete the rows of ``of`` matching ``where`` and, first, every row referring to them."""
    for link in links_to(of):
        child = link.table
        if child is of:  # a reply to a row that goes: it stays, detached (unless CASCADE)
            if link.column.nullable and (link.ondelete or "").upper() != "CASCADE":
                detached = update(of).where(link.column.in_(select(link.target).where(where)))
                await db.execute(detached.values({link.column.name: None}))
            continue
        if child.name in path:
            continue
        child_where = link.column.in_(select(link.target).where(where))
        keep = KEEP_WITHOUT_AUTHOR.get(child.name) if of.name == PERSON else None
        if keep is not None and link.column.nullable:
            kept = update(child).where(child_where, keep(child)).values({link.column.name: None})
            counts[f"{child.name} ({KEPT})"] += await _count(db, kept)
        if link.sets_null and link.column.nullable:
            cleared = update(child).where(child_where).values({link.column.name: None})
            counts[f"{child.name} ({link.column.name} cleared)"] += await _count(db, cleared)
            continue
        await remove(db, child, child_where, counts, (*path, of.name))
    counts[of.name] += await _count(db, delete(of).where(where))


def variants(needles: list[str]) -> list[str]:
    """Each needle as written and as it reads inside JSON (``ø`` as ``\\u00f8``)."""
    found: list[str] = []
    for needle in needles:
        for form in (needle, json.dumps(needle)[1:-1]):
            if form not in found:
                found.append(form)
    return found


def needles_of(name: str, email: str | None) -> list[str]:
    """What identifies a person in free text: their full name, their e-mail address."""
    found = [name.strip()] if len(name.strip()) >= MIN_NAME else []
    return found + ([email.strip()] if email and email.strip() else [])


def like_pattern(form: str) -> str:
    """A LIKE pattern that finds ``form`` in any case on both databases: SQLite folds only
    ASCII letters, so every other character matches as ``_`` (any one character) and the
    exact, case-insensitive test is made on the rows it finds."""
    escaped = "".join("\\" + c if c in "%_\\" else (c if c.isascii() else "_") for c in form)
    return f"%{escaped}%"


def _matches(of: Table, forms: list[str]) -> ColumnElement[bool]:
    patterns = [like_pattern(form) for form in forms]
    return or_(
        *(column.ilike(pattern, escape="\\") for column in text_columns(of) for pattern in patterns)
    )


async def scrub(db: AsyncConnection, needles: list[str], counts: Counter[str]) -> None:
    """Remove ``needles`` from every other row: a pending message that carries one is not
    sent at all; in anything else (a sent message, someone else's text) it is replaced."""
    forms = variants(needles)
    if not forms:
        return
    pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
    for of in tables():
        columns = text_columns(of)
        if of.name == PERSON or not columns:
            continue
        rows = (await db.execute(select(of).where(_matches(of, forms)))).mappings().all()
        for row in rows:
            values = {
                column.name: pattern.sub(SCRUBBED, row[column.name])
                for column in columns
                if isinstance(row[column.name], str) and pattern.search(row[column.name])
            }
            if not values:  # the LIKE found a near miss (another letter where SQLite cannot fold)
                continue
            key = and_(*(column == row[column.name] for column in of.primary_key.columns))
            if of.name == "outbox" and row["status"] != OutboxStatus.SENT:
                counts["outbox (to others, naming them, not sent)"] += await _count(
                    db, delete(of).where(key)
                )
            else:
                await db.execute(update(of).where(key).values(values))
                counts[f"{of.name} (name or e-mail removed)"] += 1


async def scrub_files(db: AsyncConnection, needles: list[str], counts: Counter[str]) -> None:
    """The same inside files queued or sent with messages (an export, a calendar file): they
    are base64 in the outbox, where no text search sees them."""
    forms = variants(needles)
    if not forms:
        return
    pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
    outbox = table("outbox")
    query = select(outbox.c.id, outbox.c.status, outbox.c.extras).where(
        outbox.c.extras.contains('"attachment"')
    )
    for row in (await db.execute(query)).all():
        extras = json.loads(row.extras)
        attachment = extras.get("attachment") or {}
        try:
            content = base64.b64decode(attachment.get("content", "")).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue  # not text: nothing a name could be found in
        if not pattern.search(content):
            continue
        if row.status != OutboxStatus.SENT:
            counts["outbox (to others, a file naming them, not sent)"] += await _count(
                db, delete(outbox).where(outbox.c.id == row.id)
            )
            continue
        scrubbed = pattern.sub(SCRUBBED, content).encode("utf-8")
        attachment["content"] = base64.b64encode(scrubbed).decode("ascii")
        values = {"extras": json.dumps(extras, ensure_ascii=False)}
        await db.execute(update(outbox).where(outbox.c.id == row.id).values(values))
        counts["outbox (a file: name or e-mail removed)"] += 1


async def forget(db: AsyncConnection, person_id: int) -> Counter[str]:
    """Erase the person; returns how many rows of which table went (or were changed)."""
    person = table(PERSON)
    found = (
        await db.execute(select(person.c.name, person.c.email).where(person.c.id == person_id))
    ).first()
    counts: Counter[str] = Counter()
    if found is None:
        return counts
    await remove(db, person, person.c.id == person_id, counts)
    needles = needles_of(found.name, found.email)
    await scrub(db, needles, counts)
    await scrub_files(db, needles, counts)
    return +counts


async def forget_in_cohort(
    db: AsyncConnection, person_id: int, cohort_id: str, counts: Counter[str]
) -> None:
    """Erase what the person has in one cohort (they stay, with their other cohorts): the
    rows of every table that names them and belongs to a cohort, that cohort's."""
    for of in tables():
        columns = person_columns(of)
        where = _in_cohort(of, cohort_id)
        if of.name == PERSON or not columns or where is None:
            continue
        where = and_(names_person(of, person_id), where)
        keep = KEEP_WITHOUT_AUTHOR.get(of.name)
        if keep is not None:
            cleared = {c.name: None for c in columns if c.nullable}
            if cleared:
                kept = update(of).where(where, keep(of)).values(cleared)
                counts[f"{of.name} ({KEPT})"] += await _count(db, kept)
        await remove(db, of, where, counts)


def _in_cohort(of: Table, cohort_id: str) -> ColumnElement[bool] | None:
    """Rows of ``of`` that belong to the cohort: by a ``cohort_id`` of their own, or of the
    row they belong to (a buddy group's member: the group is the cohort's)."""
    if "cohort_id" in of.c:
        return of.c.cohort_id == cohort_id
    for key in of.foreign_keys:
        parent = key.column.table
        if parent.name != PERSON and "cohort_id" in parent.c:
            owned = select(key.column).where(parent.c.cohort_id == cohort_id)
            return key.parent.in_(owned)
    return None
