"""The digilog on a shared reflection across platforms: a Telegram leader answers a
reflection question, her Slack buddy is invited to comment, and they exchange three comments
each way, each notice in one thread per reflection (Slack ``thread_ts`` under the
invitation, Telegram replies to the first notice); the thread is the reflection's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.serve import Service
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.fake_telegram import FakeTelegram
from tests.helpers import shipped_catalog
from tests.platforms_support import both_settings
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, from_kompis, post, press
from tests.telegram_support import advance, demo_start, import_demo, invite_links
from tests.test_buddy_cross_platform import KARI, slack_gets, telegram_gets
from tests.test_telegram_scenario import button


async def test_a_shared_reflection_is_discussed_across_platforms(tmp_path: Path) -> None:
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
            assert service.slack is not None
            await import_demo(service)
            await service.slack.match_people()
            dm = slack.dm_channel(team.id, anna.id)
            links = await invite_links(service, clock)
            await telegram.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
            await telegram.wait_for(KARI, 2)
            async with unit(service.db) as store:
                kari_id = await store.person_for_identity("telegram", str(KARI))
                anna_id = await store.person_for_identity("slack", anna.id, team.id)
                assert kari_id is not None and anna_id is not None
                await store.save_buddy_groups("demo", 1, [[kari_id, anna_id]], clock.now())
            await advance(service, clock, timedelta(days=1))  # forarbeid opens

            async def anna_says(text: str) -> None:
                event = slack.user_writes(team.id, anna.id, text)
                assert (await post(service, signer.event(team, event))).status_code == 200

            # Kari answers; shared with her buddy by default; Anna is invited 10 minutes on
            seen = len(telegram.messages[KARI])
            await telegram.write(KARI, "svar")
            await telegram_gets(telegram, "Din erfaring", seen)
            await telegram.write(KARI, "Vi glemte brukerne, og det lærte vi av.")
            await telegram_gets(telegram, "Du og læringsvennen din kan lese det.", seen)
            await advance(service, clock, timedelta(minutes=11))
            invite = await slack_gets(slack, dm, "Din lärkompis Kari Nordvik har delat ett svar")
            assert "Vi glemte brukerne" in (invite.text or "")

            first_notice = None
            on_slack, label = invite, "Kommentera"
            for n in (1, 2, 3):
                # Anna comments (the first time from the invitation, then from the notice)
                # each wait counts only what arrived after the step, so a prompt from the
                # round before cannot stand in for this round's (the text would be sent
                # before the press is handled)
                shown = len(from_kompis(slack, dm))
                await post(service, press(signer, team, anna.id, on_slack, label))
                await slack_gets(slack, dm, "Skriv din kommentar", shown)
                await anna_says(f"Kommentar {n} från Anna")
                notice = await telegram_gets(telegram, f"Kommentar {n} från Anna")
                assert "Anna Lindqvist har kommentert svaret ditt" in notice.text
                if first_notice is None:
                    first_notice = notice
                else:
                    assert notice.extra.get("reply_to") == first_notice.message_id
                # Kari answers from the notice; Anna reads it under the invitation
                shown = len(telegram.messages[KARI])
                await telegram.press(KARI, notice, button(notice, "Svar"))
                await telegram_gets(telegram, "Skriv kommentaren din", shown)
                await telegram.write(KARI, f"Svar {n} fra Kari")
                answer = await slack_gets(slack, dm, f"Svar {n} fra Kari")
                assert answer.thread_ts == invite.ts
                on_slack, label = answer, "Svara"
            async with unit(service.db) as store:
                entry = await store.reflection_id(kari_id, "kom-i-gang/forarbeid/refleksjon-1")
                assert entry is not None
                thread = (await store.comments([entry]))[entry]
            assert [c.person_id for c in thread] == [anna_id, kari_id] * 3
        finally:
            await service.stop()
