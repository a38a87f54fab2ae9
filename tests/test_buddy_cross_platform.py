"""A Slack leader and a Telegram leader as learning buddies, through the fake servers:
introduced, checked in on while quiet, three threaded messages each way (Slack ``thread_ts``,
Telegram reply-to), and told when the other can no longer be reached."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bot.domain.clock import FakeClock
from bot.features.buddy_intro import introduce
from bot.serve import Service
from bot.storage.repo import unit
from bot.storage.tables_relay import BuddyCheckinRow, BuddyMessageRow
from tests.fake_slack import FakeSlack
from tests.fake_slack_state import Posted
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_api import Message
from tests.helpers import shipped_catalog
from tests.platforms_support import both_settings
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, from_kompis, post, press
from tests.telegram_support import advance, demo_start, import_demo, invite_links, settle

KARI = 7001


async def slack_gets(
    slack: FakeSlack, dm: str, text: str, after: int = 0, within: float = 10.0
) -> Posted:
    """Wait for Kompis to post a message containing ``text`` in the DM (after the first
    ``after`` of its messages there)."""
    deadline = time.monotonic() + within
    while True:
        found = [m for m in from_kompis(slack, dm)[after:] if text in (m.text or "")]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, [m.text for m in from_kompis(slack, dm)]
        await asyncio.sleep(0.02)


async def telegram_gets(
    telegram: FakeTelegram, text: str, after: int = 0, within: float = 30.0
) -> Message:
    deadline = time.monotonic() + within
    while True:
        found = [m for m in telegram.messages.get(KARI, [])[after:] if text in m.text]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, telegram.texts(KARI)
        await asyncio.sleep(0.02)


async def test_slack_and_telegram_buddies_talk_in_threads(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    url = f"sqlite:///{tmp_path / 'k.db'}"
    async with FakeSlack() as slack, FakeTelegram(per_second=300) as telegram:
        slack.set_rate_limits(channel=None)
        team = slack.add_team("Kiruna")
        anna = slack.add_user(team.id, "Anna", email="anna.lindqvist@kiruna.example.org")
        signer = SlackSigner(SECRET)
        service = Service(both_settings(slack, team, telegram, url), clock, shipped_catalog())
        await service.start()
        try:
            assert service.slack is not None and service.telegram is not None
            await import_demo(service)
            await service.slack.match_people()
            dm = slack.dm_channel(team.id, anna.id)
            links = await invite_links(service, clock)
            await telegram.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
            await telegram.wait_for(KARI, 2)

            async def says(text: str, thread: str | None = None) -> None:
                event = slack.user_writes(team.id, anna.id, text, thread_ts=thread)
                assert (await post(service, signer.event(team, event))).status_code == 200

            menu = {c["command"]: c["description"] for c in telegram.commands.get("nb", [])}
            assert menu.get("buddy") == "Skriv til læringsvennen din"  # Telegram's / menu

            # grouped and introduced, each on their own platform and in their own language
            async with unit(service.db) as store:
                kari_id = await store.person_for_identity("telegram", str(KARI))
                anna_id = await store.person_for_identity("slack", anna.id, team.id)
                assert kari_id is not None and anna_id is not None
                (group,) = await store.save_buddy_groups(
                    "demo", 1, [[kari_id, anna_id]], clock.now()
                )
                await introduce(store, service.app.catalog, [group], clock.now())
            service.app.delivery.wake()
            intro = await telegram_gets(telegram, "Møt læringsvennen din")
            assert "Anna Lindqvist, kommunekoordinator, Kiruna kommun" in intro.text
            assert "Kari Nordvik, leder, Tromsø kommun" not in intro.text
            slack_intro = await slack_gets(slack, dm, "Möt din lärkompis")
            assert "Kari Nordvik, chef, Tromsø kommune" in (slack_intro.text or "")

            # quiet until the middle of forarbeid: both are asked, Anna answers by button
            await advance(service, clock, timedelta(days=15))
            await telegram_gets(telegram, "Har du og Anna Lindqvist snakket sammen")
            asked = await slack_gets(slack, dm, "Har du och Kari Nordvik pratat")
            await post(service, press(signer, team, anna.id, asked, "Inte än"))
            await slack_gets(slack, dm, "Ett kort meddelande är en bra början")
            async with unit(service.db) as store:
                answers = (await store.session.exec(select(BuddyCheckinRow))).all()
                assert {(a.person_id, a.answer) for a in answers} == {
                    (kari_id, None),
                    (anna_id, "not_yet"),
                }

            # three messages each way, in one thread on both platforms
            await telegram.write(KARI, "kompis Hei Anna! Passer torsdag?")
            root = await slack_gets(slack, dm, "Hei Anna! Passer torsdag?")
            assert root.thread_ts is None and "Kari Nordvik (din lärkompis) skriver:" in (
                root.text or ""
            )
            note = await telegram_gets(telegram, "Sendt til Anna Lindqvist.")
            for n in (1, 2, 3):
                on_slack = len(from_kompis(slack, dm))
                await says(f"Svar {n} från Anna", root.ts)
                copy = await telegram_gets(telegram, f"Svar {n} från Anna")
                assert copy.extra.get("reply_to") == note.message_id
                assert "Anna Lindqvist (læringsvennen din) skriver:" in copy.text
                sent = await slack_gets(slack, dm, "Skickat till Kari Nordvik.", on_slack)
                assert sent.thread_ts == root.ts
                if n < 3:
                    on_telegram = len(telegram.messages[KARI])
                    await telegram.write(KARI, f"Svar {n} fra Kari", reply_to=copy)
                    answer = await slack_gets(slack, dm, f"Svar {n} fra Kari")
                    assert answer.thread_ts == root.ts
                    again = await telegram_gets(telegram, "Sendt til", on_telegram)
                    assert again.extra.get("reply_to") == note.message_id
            await settle(service)
            async with unit(service.db) as store:
                rows = (await store.session.exec(select(BuddyMessageRow))).all()
            assert len(rows) == 6
            assert [r.thread_id for r in rows] == [None] + [rows[0].id] * 5
            assert [r.sender_id for r in rows] == [kari_id, anna_id] * 3

            # Kari blocks the bot; Kompis learns it only when the copy fails
            telegram.blocked.add(KARI)
            on_slack = len(from_kompis(slack, dm))
            await says("Är du kvar?", root.ts)
            await slack_gets(slack, dm, "Skickat till Kari Nordvik.", on_slack)
            await settle(service)
            await service.app.plan()
            service.app.delivery.wake()
            told = await slack_gets(slack, dm, "Ditt senaste meddelande kom inte fram till Kari")
            assert told.thread_ts is None
            # from now on Anna is told at once, and nothing is queued for Kari
            await says("Hallå?", root.ts)
            at_once = await slack_gets(slack, dm, "Jag når inte Kari Nordvik just nu")
            assert at_once.thread_ts == root.ts
            assert not any("Hallå?" in t for t in telegram.texts(KARI))
        finally:
            await service.stop()
