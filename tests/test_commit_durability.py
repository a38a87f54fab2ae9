"""A row marked sent is committed durably on PostgreSQL. Marking a send begun may commit
asynchronously (a crashed worker cannot lose it, only a crash of the database server within
a fraction of a second could, costing one crash count), but the sender marks the next row
begun in the transaction that settles the one just sent: that transaction must not turn
asynchronous, or a crash of the server could undo the "sent" and the message go twice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from bot.storage.repo import unit
from tests.delivery_helpers import broadcast, sent_keys
from tests.helpers import Harness


@pytest.mark.postgres
async def test_no_transaction_that_marks_a_row_sent_commits_asynchronously(
    postgres_url: str,
) -> None:
    h = Harness(postgres_url)
    await h.start(participants=False)
    engine = h.app.db.engine.sync_engine
    transactions: list[list[tuple[str, Any]]] = []

    def begun(connection: Any) -> None:
        connection.info["statements"] = []

    def executed(connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        connection.info.setdefault("statements", []).append((statement, parameters))

    def committed(connection: Any) -> None:
        transactions.append(connection.info.pop("statements", []))

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    try:
        async with unit(h.app.db) as store:
            await store.enqueue(broadcast(6), h.clock.now())
        assert await h.app.sender.drain() == 6
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", committed)
        await h.stop()
    assert sorted(sent_keys(h.transport)) == [f"b{i}" for i in range(6)]

    def marks_sent(statements: list[tuple[str, Any]]) -> bool:
        return any(
            statement.startswith("UPDATE outbox") and "sent" in str(parameters)
            for statement, parameters in statements
        )

    def asynchronous(statements: list[tuple[str, Any]]) -> bool:
        return any("synchronous_commit TO OFF" in statement for statement, _ in statements)

    settling = [t for t in transactions if marks_sent(t)]
    assert len(settling) == 6
    assert not [t for t in settling if asynchronous(t)]
    assert any(asynchronous(t) for t in transactions)  # a first send's own mark still is
