"""Where a person's data is: found by walking the foreign keys of the table metadata.

Every column that names a person is a foreign key to ``person.id`` (the schema's rule), so
the tables that hold someone's data are those with such a key, plus the rows that hang off
those rows (a membership's roles). Nothing here knows the tables by name: a table another
feature adds is covered as soon as it is registered in ``bot.storage.tables``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, ColumnElement, Select, Table, or_, select
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers every table with the metadata)

PERSON = "person"
#: how deep rows hanging off a person's rows are followed (person -> membership -> role ...)
MAX_DEPTH = 4


@dataclass(frozen=True)
class Link:
    """``table.column`` refers to ``parent.target``."""

    table: Table
    column: Column[object]
    parent: Table
    target: Column[object]
    ondelete: str | None

    @property
    def sets_null(self) -> bool:
        return (self.ondelete or "").upper() == "SET NULL"


def tables() -> list[Table]:
    """Every table, parents before the tables that refer to them."""
    return list(SQLModel.metadata.sorted_tables)


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def links_to(parent: Table) -> Iterator[Link]:
    """Every foreign key that refers to ``parent`` (from other tables and from itself)."""
    for child in tables():
        for key in child.foreign_keys:
            if key.column.table is parent:
                yield Link(child, key.parent, parent, key.column, key.ondelete)


def person_columns(of: Table) -> list[Column[object]]:
    """The columns of ``of`` that name a person."""
    person = table(PERSON)
    return [key.parent for key in of.foreign_keys if key.column.table is person]


def names_person(of: Table, person_id: int) -> ColumnElement[bool]:
    """Rows of ``of`` that name the person in any of its person columns."""
    return or_(*(column == person_id for column in person_columns(of)))


@dataclass(frozen=True)
class Part:
    """One table's rows of a person: ``via`` is the path of tables that led there."""

    table: Table
    query: Select[tuple[object, ...]]
    via: tuple[str, ...]


def parts_of(person_id: int) -> list[Part]:
    """Queries for every row that names the person, and for the rows that hang off those
    rows and name nobody themselves (a membership's roles; not a comment someone else wrote
    under the person's reflection: that is the commenter's data)."""
    person = table(PERSON)
    found = [Part(person, select(person).where(person.c.id == person_id), ())]
    for of in tables():
        if of is not person and person_columns(of):
            where = names_person(of, person_id)
            found.append(Part(of, select(of).where(where), (of.name,)))
            found.extend(_hanging(of, where, (of.name,)))
    return found


def _hanging(parent: Table, where: ColumnElement[bool], via: tuple[str, ...]) -> list[Part]:
    if len(via) >= MAX_DEPTH:
        return []
    found: list[Part] = []
    for link in links_to(parent):
        child = link.table
        if child.name in via or person_columns(child):
            continue
        child_where = link.column.in_(select(link.target).where(where))
        path = (*via, child.name)
        found.append(Part(child, select(child).where(child_where), path))
        found.extend(_hanging(child, child_where, path))
    return found


def text_columns(of: Table) -> list[Column[object]]:
    """The columns of ``of`` that hold text (where a copied name or e-mail could sit)."""
    return [
        column
        for column in of.columns
        if _is_text(column) and not column.foreign_keys and not column.primary_key
    ]


def _is_text(column: Column[object]) -> bool:
    try:
        return column.type.python_type is str
    except NotImplementedError:  # a type that does not say: not one Kompis writes text into
        return False
