"""Personal data never reaches the log: weeks of a cohort on the fake clock (onboarding by
join code, reflections, self-assessments, reminders, a failing send, a database error in the
middle of an answer, mydata and forget) with DEBUG logging on, and the captured log holds no
participant's name, e-mail or answer text."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

from sqlalchemy import text

from bot import log
from bot.domain.invites import digest, new_code, normalise_code
from bot.domain.messages import Inbound
from bot.storage.repo import unit
from bot.transports.base import TransportError
from tests.helpers import ROOT, Harness

PEOPLE = ROOT / "schedules" / "demo.participants.csv"

_REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON reflection "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON reflection FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
_ALLOW = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgresql": ["DROP TRIGGER refuse ON reflection", "DROP FUNCTION refuse()"],
}


def _people() -> list[dict[str, str]]:
    with PEOPLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


async def _sql(harness: Harness, statements: dict[str, list[str]]) -> None:
    async with harness.app.db.engine.begin() as connection:
        for statement in statements[connection.dialect.name]:
            await connection.execute(text(statement))


async def _say(harness: Harness, handle: str, said: str) -> None:
    """As a platform delivers it: through the receiver (onboarding, corrections), then sent."""
    await harness.app.receive(Inbound("memory", handle, handle, text=said))
    await harness.app.sender.drain()


async def _onboard(harness: Harness, people: list[dict[str, str]]) -> None:
    """Everyone joins by typing their code, as an invitation e-mail tells them."""
    now = harness.clock.now()
    codes: dict[str, str] = {}
    async with unit(harness.app.db) as store:
        for row in people:
            person = await store.person_by_email(row["email"])
            assert person is not None
            code = new_code()
            token = f"t{person.id}" * 8
            await store.issue_invite(
                person.id, digest(token), digest(normalise_code(code)), now, now + timedelta(30)
            )
            codes[row["email"]] = code
    for row in people:
        await _say(harness, row["email"].split("@")[0], f"join {codes[row['email']]}")


async def test_a_cohort_s_weeks_leave_no_personal_data_in_the_log(database_url: str) -> None:
    people = _people()
    harness = Harness(database_url)
    buffer = io.StringIO()
    log.setup("DEBUG")  # what KOMPIS_LOG_LEVEL=DEBUG does
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    answers: list[str] = []
    try:
        await harness.start(participants=False)
        await harness.app.import_participants("demo", PEOPLE)
        await _onboard(harness, people)
        await harness.advance(timedelta(days=1))
        handles = [row["email"].split("@")[0] for row in people]
        for n, handle in enumerate(handles):
            answer = f"Refleksjon nummer {n}: vi lærte mye om {handle.split('.')[1]}-tjenesten."
            answers.append(answer)
            await _say(harness, handle, "reflect")
            await _say(harness, handle, answer)
            await _say(harness, handle, "survey")
            await _say(harness, handle, "4")
            await _say(harness, handle, "status")
        await _sql(harness, _REFUSE)  # the database refuses the next answer
        await _say(harness, handles[0], "reflect")
        refused = "Et svar som databasen ikke tar imot, fra Kari."
        answers.append(refused)
        await _say(harness, handles[0], refused)
        assert "noe gikk galt" in harness.last(handles[0])
        await _sql(harness, _ALLOW)
        harness.transport.fail_next(TransportError("timed out", retryable=True))
        await _say(harness, handles[1], "hjelp")
        await _say(harness, handles[1], "x" * 5000)  # not waiting: an unknown command
        await harness.advance(timedelta(weeks=5))
        await _say(harness, handles[2], "mydata")
        await _say(harness, handles[0], "glem")
        await _say(harness, handles[0], "ja")
        await harness.advance(timedelta(weeks=2))
    finally:
        await harness.stop()
        for name in (*log.QUIET, "alembic"):  # as they were for the tests that follow
            logging.getLogger(name).setLevel(logging.NOTSET)
    captured = buffer.getvalue()
    assert "refused by the test" in captured  # the error was logged, and DEBUG lines too
    assert "DEBUG" in captured
    leaks = [
        needle
        for row in people
        for needle in (row["name"], row["email"])
        if needle.lower() in captured.lower()
    ] + [answer for answer in answers if answer[:30] in captured]
    assert leaks == []


def test_the_scan_would_see_a_leak() -> None:
    """The same capture, fed a name: it is found (so an empty result above means something)."""
    buffer = io.StringIO()
    log.setup("DEBUG")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    logging.getLogger("bot.test").debug("hello %s", _people()[0]["name"])
    logging.getLogger("sqlalchemy.engine").debug("executing %s", _people()[1]["name"])
    assert _people()[0]["name"] in buffer.getvalue()
    assert _people()[1]["name"] not in buffer.getvalue()  # the drivers' loggers are quiet
