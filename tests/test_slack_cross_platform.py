"""One person on Slack and on Telegram: they choose where Kompis writes (``kanal``), the
reminders follow, and answers from either account count."""

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
from tests.slack_support import SECRET, count, post, texts
from tests.telegram_support import advance, demo_start, import_demo, invite_links
from tests.test_telegram_scenario import button

KARI = 7001


async def test_switching_channel_and_the_reminders_follow(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    url = f"sqlite:///{tmp_path / 'k.db'}"
    async with FakeSlack() as slack, FakeTelegram(per_second=300) as telegram:
        slack.set_rate_limits(channel=None)
        team = slack.add_team("Troms")
        kari = slack.add_user(team.id, "Kari", email="kari.nordvik@tromso.example.org")
        signer = SlackSigner(SECRET)
        service = Service(both_settings(slack, team, telegram, url), clock, shipped_catalog())
        await service.start()
        try:
            assert service.slack is not None and service.telegram is not None
            await import_demo(service)
            await service.slack.match_people()
            dm = slack.dm_channel(team.id, kari.id)
            await count(slack, dm, 2)  # welcomed in Slack
            links = await invite_links(service, clock)
            clock.advance(timedelta(minutes=1))  # unchosen, the latest account used gets replies
            await telegram.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
            await telegram.wait_for(KARI, 2)  # and in Telegram

            # from Slack she chooses Telegram: the confirmation and the stage go there
            clock.advance(timedelta(minutes=1))
            await post(
                service, signer.event(team, slack.user_writes(team.id, kari.id, "kanal telegram"))
            )
            await telegram.wait_for(KARI, 3)
            assert "Fra nå av skriver jeg til deg på Telegram" in telegram.last(KARI).text
            await advance(service, clock, timedelta(days=1))
            assert "Nå kan du begynne" in telegram.last(KARI).text
            assert not any("Nå starter" in t for t in texts(slack, dm))

            # an answer typed in Slack counts, though Kompis writes to Telegram
            await post(service, signer.event(team, slack.user_writes(team.id, kari.id, "svar")))
            await telegram.wait_for(KARI, 5)
            assert "Tenk på en digital endring" in telegram.last(KARI).text
            answer = "Vi digitaliserte byggesaker."
            await post(service, signer.event(team, slack.user_writes(team.id, kari.id, answer)))
            await telegram.wait_for(KARI, 6)
            assert "er lagret" in telegram.last(KARI).text
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                (saved,) = await store.reflections(person)
                assert saved.text == answer

            # from Telegram, by button, back to Slack: the next reminder comes in Slack
            await telegram.write(KARI, "kanal")
            await telegram.wait_for(KARI, 7)
            choose = telegram.last(KARI)
            before = len(texts(slack, dm))
            await telegram.press(KARI, choose, button(choose, "Slack"))
            await count(slack, dm, before + 1)
            assert "Fra nå av skriver jeg til deg på Slack" in texts(slack, dm)[-1]
            on_telegram = len(telegram.texts(KARI))
            await advance(service, clock, timedelta(days=23))  # to the reminder 3 days before
            assert any("Fristen er om 3 dager" in t for t in texts(slack, dm)), texts(slack, dm)
            assert len(telegram.texts(KARI)) == on_telegram
        finally:
            await service.stop()
