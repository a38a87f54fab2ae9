"""The scrub finds a name however it was written: any case, Nordic letters, on both
databases (SQLite's LIKE folds only ASCII letters; the pattern works around it)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from bot.storage import erase
from bot.storage.db import Database
from bot.storage.personal import table

#: no letter of "[removed]", so a replacement cannot spell the name again
LETTERS = "abcfghijklnpstuøåæöäüéABCFGHØÅÆÖÄÜÉ"
_keys = itertools.count()


async def _scrubbed(db: Database, name: str, text: str) -> tuple[str, Counter[str]]:
    outbox = table("outbox")
    now = datetime.now(UTC)
    key = f"scrub-{next(_keys)}"
    counts: Counter[str] = Counter()
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(outbox).values(
                key=key,
                kind="reply",
                template="help",
                params=text,
                buttons="[]",
                status="sent",
                not_before=now,
                created_at=now,
                attempts=0,
                parts_sent=0,
                late=False,
                priority=1,
                crashes=0,
            )
        )
        await erase.scrub(connection, erase.needles_of(name, None), counts)
        found = await connection.execute(select(outbox.c.params).where(outbox.c.key == key))
        return str(found.scalar_one()), counts


@pytest.mark.parametrize("shape", ["upper", "lower", "same", "title"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(LETTERS, min_size=2, max_size=8).flatmap(
        lambda first: st.text(LETTERS, min_size=2, max_size=10).map(lambda last: f"{first} {last}")
    ),
    before=st.text(' .,:;!?0123456789[]{}"', max_size=8),
    after=st.text(' .,:;!?0123456789[]{}"', max_size=8),
)
def test_a_name_is_found_in_any_case(
    database_url: str, shape: str, name: str, before: str, after: str
) -> None:
    written = {"upper": name.upper(), "lower": name.lower(), "same": name, "title": name.title()}
    db = Database(database_url)

    async def go() -> tuple[str, Counter[str]]:
        await db.upgrade()
        try:
            return await _scrubbed(db, name, f"{before}{written[shape]}{after}")
        finally:
            await db.dispose()

    result, counts = asyncio.run(go())
    assert result == f"{before}{erase.SCRUBBED}{after}"
    assert counts["outbox (name or e-mail removed)"] == 1
