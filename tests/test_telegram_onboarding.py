"""Onboarding by invitation over Telegram: deep links, join codes, and every way they fail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.invites import issue
from bot.storage.repo import unit
from tests.fake_telegram import FakeTelegram
from tests.helpers import shipped_catalog
from tests.telegram_support import demo_start, import_demo, running


async def test_deep_links_and_join_codes(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}", clock) as service,
    ):
        await import_demo(service)
        old = FakeClock(clock.now() - timedelta(days=31))
        stale = await issue(service.settings, shipped_catalog(), "demo", "KompisTestBot", old)
        lines = await issue(service.settings, shipped_catalog(), "demo", "KompisTestBot", clock)
        by_email = {line.email: line for line in lines}
        kari = by_email["kari.nordvik@tromso.example.org"]
        anna = by_email["anna.lindqvist@kiruna.example.org"]
        token = kari.telegram_link.split("start=")[1]
        assert len(token) <= 64 and kari.telegram_link.startswith("https://t.me/KompisTestBot?")

        # a valid deep link: linked, greeted in Kari's language with what is due now
        await fake.write(7001, f"/start {token}", language="en")
        welcome, status = await fake.wait_for(7001, 2)
        assert welcome.startswith("Velkommen, Kari Nordvik!")
        assert "status" in status.lower()
        # the same link again, from someone else: used, nothing linked
        await fake.write(7002, f"/start {token}", language="nb")
        (used,) = await fake.wait_for(7002, 1)
        assert "allerede brukt" in used
        # an unknown token and a plain /start from a stranger
        await fake.write(7003, "/start NoSuchToken_123", language="sv")
        await fake.write(7004, "/start", language="sv")
        (unknown,) = await fake.wait_for(7003, 1)
        (stranger,) = await fake.wait_for(7004, 1)
        assert "känner inte igen den här inbjudan" in unknown
        assert "Jag känner inte dig än" in stranger
        # an expired link (issued 31 days ago, and replaced since: revoked too)
        stale_anna = next(x for x in stale if x.email == anna.email)
        await fake.write(7005, f"/start {stale_anna.telegram_link.split('start=')[1]}")
        (expired,) = await fake.wait_for(7005, 1)
        assert "kjenner ikke igjen" in expired  # replaced by the newer invitation: unknown
        # a join code typed by hand, lower case with spaces, in Swedish
        await fake.write(7006, f"join {anna.join_code.lower().replace('-', ' ')}", language="sv")
        welcome_sv, _ = await fake.wait_for(7006, 2)
        assert welcome_sv.startswith("Välkommen, Anna Lindqvist!")

        async with unit(service.db) as store:
            assert await store.person_for_identity("telegram", "7001") is not None
            assert await store.person_for_identity("telegram", "7006") is not None
            for stranger_id in ("7002", "7003", "7004", "7005"):
                assert await store.person_for_identity("telegram", stranger_id) is None
        # linked people get no invitation the next time
        again = await issue(service.settings, shipped_catalog(), "demo", "KompisTestBot", clock)
        assert {x.email for x in again} == set(by_email) - {kari.email, anna.email}


async def test_an_expired_invitation_says_so(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}", clock) as service,
    ):
        await import_demo(service)
        old = FakeClock(clock.now() - timedelta(days=31))
        (first, *_) = await issue(service.settings, shipped_catalog(), "demo", "KompisTestBot", old)
        await fake.write(7101, f"join {first.join_code}", language="nb")
        (expired,) = await fake.wait_for(7101, 1)
        assert "har gått ut" in expired
