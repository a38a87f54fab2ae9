"""Personal data never reaches the log on the real platforms either: the chat libraries log
every request and response at DEBUG (message texts, names, e-mail look-ups), so with
KOMPIS_LOG_LEVEL=DEBUG a Telegram and a Slack conversation leave no name, e-mail or answer
in the log."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import log
from bot.domain.clock import FakeClock
from bot.domain.people import Role
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.fake_telegram import FakeTelegram
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, join_codes, post, running
from tests.telegram_support import demo_start, import_demo, settle
from tests.telegram_support import running as running_telegram

ANSWER = "Vi testet en ny digital tjeneste med innbyggerpanelet i Hammerfest."
CHAT = 10_000


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    log.setup("DEBUG")  # what KOMPIS_LOG_LEVEL=DEBUG does
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    for name in (*log.QUIET, "alembic"):  # as they were for the tests that follow
        logging.getLogger(name).setLevel(logging.NOTSET)


def _leaks(text: str, *needles: str) -> list[str]:
    return [needle for needle in needles if needle.lower() in text.lower()]


async def test_telegram_at_debug(tmp_path: Path, captured: io.StringIO) -> None:
    async with (
        FakeTelegram(per_second=300) as fake,
        running_telegram(fake, f"sqlite:///{tmp_path / 'k.db'}") as service,
    ):
        async with unit(service.db) as store:
            now = datetime.now(UTC)
            person = await store.add_person(
                name="Ingrid Solbakken",
                cohort_id="demo",
                organisation="tromso",
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email="ingrid.solbakken@tromso.example.org",
                locale="nb",
            )
            await store.link_identity(person, "telegram", str(CHAT), str(CHAT), now)
        await fake.write(CHAT, "hjelp")
        await fake.wait_for(CHAT, 1)
        await fake.write(CHAT, "svar")
        await fake.wait_for(CHAT, 2)
        await fake.write(CHAT, ANSWER)
        await fake.wait_for(CHAT, 3)
        await fake.write(CHAT, "mydata")
        await fake.wait_for(CHAT, 4)
        await settle(service)
    assert "Hei, Ingrid!" in fake.messages[CHAT][0].text  # the name was in what was sent
    text = captured.getvalue()
    assert "DEBUG" in text
    assert _leaks(text, "Ingrid", "Solbakken", "ingrid.solbakken@", ANSWER[:25]) == []


async def test_slack_at_debug(tmp_path: Path, captured: io.StringIO) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari Nordvik", locale="nb-NO")
        dm = fake.dm_channel(team.id, kari.id)
        signer = SlackSigner(SECRET)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            join = f"join {codes['kari.nordvik@tromso.example.org']}"
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, join)))
            await count(fake, dm, 2)
            for said, total in (("svar", 3), (ANSWER, 4), ("mydata", 5)):
                await post(service, signer.event(team, fake.user_writes(team.id, kari.id, said)))
                await count(fake, dm, total)
            await settle(service)
    text = captured.getvalue()
    assert "DEBUG" in text
    assert _leaks(text, "Kari", "Nordvik", "kari.nordvik@", ANSWER[:25]) == []
