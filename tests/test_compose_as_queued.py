"""The sender opens no transaction for a row ``compose`` sends as it was queued: the
predicate it asks (``needs_state``) must agree with what ``compose`` does, for every kind
of row, or a reminder would go out uncomposed (or a reply would wait on the database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.messages import Button
from bot.features.bank_share import INVITE
from bot.features.broadcasts_compose import BROADCAST_TEMPLATES
from bot.features.compose import MISSED, as_queued, compose, needs_state
from bot.features.folding import FOLDED, FOLDED_KINDS
from bot.features.reminders import DAILY
from tests.helpers import shipped_catalog

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


class Touched(Exception):
    """compose asked the store for something."""


class NoStore:
    """A store every call of which fails: compose must not need one."""

    def __getattr__(self, name: str) -> Any:
        raise Touched(name)


@dataclass
class Row:
    id: int
    person_id: int | None
    kind: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    not_before: datetime = NOW
    extras: dict[str, Any] = field(default_factory=dict)
    late: bool = False


TEMPLATES = [DAILY, MISSED, INVITE, "help", "quiz_question", *FOLDED, *BROADCAST_TEMPLATES]
KINDS = ["reminder", "reply", "broadcast", "notice", *FOLDED_KINDS]

rows = st.builds(
    Row,
    id=st.integers(1, 1000),
    person_id=st.one_of(st.none(), st.integers(1, 1000)),
    kind=st.sampled_from(KINDS),
    template=st.sampled_from(TEMPLATES),
    params=st.dictionaries(st.sampled_from(["name", "n"]), st.text(max_size=5), max_size=2),
    late=st.booleans(),
)

CATALOG = shipped_catalog()


@given(rows)
async def test_compose_reads_state_exactly_when_the_sender_is_told_it_does(row: Row) -> None:
    if needs_state(row):
        if row.person_id is not None:  # (a folded row without a person needs none: rare)
            with pytest.raises(Touched):
                await compose(NoStore(), CATALOG, row, NOW)  # type: ignore[arg-type]
    else:
        assert await compose(NoStore(), CATALOG, row, NOW) == as_queued(row)  # type: ignore[arg-type]


def test_a_planned_reminder_is_composed_and_a_reply_is_not() -> None:
    assert needs_state(Row(1, 7, "reminder", DAILY))
    assert needs_state(Row(1, 7, "broadcast", next(iter(BROADCAST_TEMPLATES))))
    assert not needs_state(Row(1, 7, "reply", "help"))
    assert as_queued(Row(1, 7, "reply", "help", {"a": 1}, late=True)).params == {
        "a": 1,
        "late": True,
    }
