"""A leader in nb and one in sv through one module stage, entirely in Telegram."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_telegram import FakeTelegram, Message
from tests.telegram_support import advance, demo_start, import_demo, invite_links, running

KARI, ANNA = 7001, 7004


def button(message: Message, label: str) -> str:
    for row in message.buttons:
        for key in row:
            if re.search(label, key["text"]):
                return str(key["callback_data"])
    raise AssertionError(f"no button {label!r} in {message.buttons}")


async def test_one_stage_in_nb_and_sv(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}", clock) as service,
    ):
        await import_demo(service)
        links = await invite_links(service, clock)
        await fake.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
        await fake.write(ANNA, f"/start {links['anna.lindqvist@kiruna.example.org']}", "sv")
        await fake.wait_for(KARI, 2)
        await fake.wait_for(ANNA, 2)

        await advance(service, clock, timedelta(days=1))  # Monday 09:00: the stage opens
        assert "Nå starter Forarbeid" in fake.last(KARI).text
        assert "Förarbete har öppnat" in fake.last(ANNA).text

        # a reflection: the prompt, then the next text is the answer
        await fake.write(KARI, "svar")
        await fake.wait_for(KARI, 4)
        assert "Tenk på en digital endring" in fake.last(KARI).text
        answer = await fake.write(KARI, "Vi digitaliserte byggesaker.\n\nMen vi glemte brukerne.")
        await fake.wait_for(KARI, 5)
        assert "er lagret" in fake.last(KARI).text
        # editing that message in Telegram corrects the stored answer
        await fake.edit(KARI, answer, "Vi digitaliserte byggesaker, og tok med brukerne.")
        await fake.wait_for(KARI, 6)
        assert "er oppdatert" in fake.last(KARI).text
        async with unit(service.db) as store:
            kari = await store.person_for_identity("telegram", str(KARI))
            assert kari is not None
            (saved,) = await store.reflections(kari)
        assert saved.text == "Vi digitaliserte byggesaker, og tok med brukerne."

        # done by button, from the status message; the pressed keyboard is taken away
        await fake.write(KARI, "status")
        await fake.wait_for(KARI, 7)
        status = fake.last(KARI)
        await fake.press(KARI, status, button(status, "Gruppeoppgave|gruppeoppgave|ferdig"))
        await fake.wait_for(KARI, 8)
        assert "er merket som ferdig" in fake.last(KARI).text
        assert status.buttons == [] and len(fake.answered) == 1

        # snooze in Swedish, by button
        anna_count = len(fake.texts(ANNA))
        await fake.write(ANNA, "skjut upp", "sv")
        await fake.wait_for(ANNA, anna_count + 1)
        choose = fake.last(ANNA)
        await fake.press(ANNA, choose, button(choose, "3"), "sv")
        await fake.wait_for(ANNA, anna_count + 2)
        assert "väntar" in fake.last(ANNA).text.lower() or "påminn" in fake.last(ANNA).text

        # the first deadline reminder (7 days before): Kari still has work open, and so
        # does Anna, whose reminder waits for the end of her snooze
        before = len(fake.texts(KARI))
        await advance(service, clock, timedelta(days=18))
        kari_new = fake.texts(KARI)[before:]
        assert any("frist om 7 dager" in t for t in kari_new), kari_new

        assert any("ska vara klart om 7 dagar" in t for t in fake.texts(ANNA))
        anna_count = len(fake.texts(ANNA))
        await fake.write(ANNA, "status", "sv")
        await fake.wait_for(ANNA, anna_count + 1)
        assert "Din status" in fake.last(ANNA).text
        assert fake.errors == [] and fake.refused_429 == 0
        assert all(query in fake.answered for query in ("q1", "q2"))


async def test_forged_and_foreign_buttons_are_refused(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}", clock) as service,
    ):
        await import_demo(service)
        links = await invite_links(service, clock)
        await fake.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
        await fake.write(ANNA, f"/start {links['anna.lindqvist@kiruna.example.org']}", "sv")
        await fake.wait_for(KARI, 2)
        await fake.wait_for(ANNA, 2)
        await fake.write(KARI, "språk")
        await fake.wait_for(KARI, 3)
        choose = fake.last(KARI)
        swedish = button(choose, "svenska")

        # Kari forwards the message to Anna, who presses Kari's button
        await fake.press(ANNA, choose, swedish, "sv", forwarded_to=ANNA)
        await fake.press(KARI, choose, "survey_answer:kom-i-gang/forarbeid/film:1")  # forged
        await fake.wait_for(ANNA, 3)
        await fake.wait_for(KARI, 4)
        assert "Den här knappen är inte till dig" in fake.last(ANNA).text
        assert "Denne knappen er ikke til deg" in fake.last(KARI).text
        assert len(fake.answered) == 2  # every query is answered, refused or not
        assert choose.buttons != []  # a refused press does not disable Kari's buttons
        async with unit(service.db) as store:
            kari = await store.person_for_identity("telegram", str(KARI))
            assert kari is not None
            person = await store.person(kari)
            assert person is not None and person.locale == "nb"  # nothing changed
