"""A leader in nb and one in sv through one module stage, entirely in Telegram."""

from __future__ import annotations

import asyncio
import re
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_telegram import FakeTelegram, Message
from tests.helpers import ROOT, shipped_catalog
from tests.telegram_support import advance, demo_start, import_demo, invite_links, running

KARI, ANNA = 7001, 7004
TZ = ZoneInfo("Europe/Stockholm")
MODULE_SV = "Vad är digital transformation?"


def button(message: Message, label: str) -> str:
    for row in message.buttons:
        for key in row:
            if re.search(label, key["text"]):
                return str(key["callback_data"])
    raise AssertionError(f"no button {label!r} in {message.buttons}")


async def test_one_stage_in_nb_and_sv(database_url: str) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, database_url, clock) as service,
    ):
        await import_demo(service)
        links = await invite_links(service, clock)
        await fake.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
        await fake.write(ANNA, f"/start {links['anna.lindqvist@kiruna.example.org']}", "sv")
        await fake.wait_for(KARI, 2)
        await fake.wait_for(ANNA, 2)

        await advance(service, clock, timedelta(days=1))  # Monday 09:00: the stage opens
        assert "Nå kan du begynne" in fake.last(KARI).text
        assert "Nu kan du börja" in fake.last(ANNA).text

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

        # no chatter in between: the one reminder before the deadline comes 3 days before it
        before = len(fake.texts(KARI))
        await advance(service, clock, timedelta(days=18))
        assert fake.texts(KARI)[before:] == []
        # the rest of the stage: one message a day at most, each on its own day, in Swedish,
        # at 09:00, composed when it is sent
        log = await advance(service, clock, timedelta(days=11), fake)
        anna = [
            (f"{moment.astimezone(TZ):%Y-%m-%d %H:%M}", text)
            for moment, chat, text in log
            if chat == ANNA and "Veckoöversikt" not in text
        ]
        expected = [
            ("2027-02-02 09:00", "Sista dagen är om 3 dagar: fredag 5 februari 2027."),
            ("2027-02-05 09:00", "I dag är sista dagen."),
            ("2027-02-08 09:00", f"Träff – {MODULE_SV}"),
            ("2027-02-09 09:00", f"Nästa träff: {MODULE_SV}"),  # Kiruna meets on the 10th
        ]
        assert len(anna) == len(expected), anna
        for (at, text), (when, phrase) in zip(anna, expected, strict=True):
            assert at == when and phrase in text, anna
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
        anna_query = await fake.press(ANNA, choose, swedish, "sv", forwarded_to=ANNA)
        forged = await fake.press(KARI, choose, "survey_answer:kom-i-gang/forarbeid/film:1")
        for _ in range(500):  # every query is answered, refused or not
            if anna_query in fake.answered and forged in fake.answered:
                break
            await asyncio.sleep(0.01)
        assert fake.answered[anna_query]["text"].startswith("Den här knappen är inte till dig")
        assert fake.answered[forged]["text"].startswith("Denne knappen er ikke til deg")
        await fake.write(KARI, "status")  # handled after the presses, in order
        await fake.wait_for(KARI, 4)
        assert len(fake.texts(ANNA)) == 2  # a refusal is a toast, not a chat message
        assert choose.buttons != []  # a refused press does not disable Kari's buttons
        async with unit(service.db) as store:
            kari = await store.person_for_identity("telegram", str(KARI))
            assert kari is not None
            person = await store.person(kari)
            assert person is not None and person.locale == "nb"  # nothing changed


async def test_a_self_assessment_by_buttons(database_url: str) -> None:
    cohort = shipped_catalog().cohort("tf-2027")
    clock = FakeClock(cohort.local(date(2027, 1, 11), time(12, 0)))
    async with FakeTelegram(per_second=300) as fake, running(fake, database_url, clock) as service:
        csv = ROOT / "schedules" / "tf-2027.participants.csv"
        await service.app.import_participants("tf-2027", csv)
        links = await invite_links(service, clock, "tf-2027")
        await fake.write(KARI, f"/start {links['kari.nilsen@tromso.example.org']}", "nb")
        await fake.wait_for(KARI, 2)
        await fake.write(KARI, "kartlegging")
        await fake.wait_for(KARI, 3)
        prompt = fake.last(KARI)
        assert "Hvor står kommunen din" in prompt.text
        labels = [key["text"] for row in prompt.buttons for key in row]
        assert labels[2] == "3: Vi har faste møteplasser på tvers"
        data = [key["callback_data"] for row in prompt.buttons for key in row]
        assert all(len(d.encode()) <= 64 for d in data)  # opaque ids, not the actions
        await fake.press(KARI, prompt, data[2])
        await fake.wait_for(KARI, 4)
        assert "3" in fake.last(KARI).text and prompt.buttons == []
        async with unit(service.db) as store:
            kari = await store.person_for_identity("telegram", str(KARI))
            assert kari is not None
            done = await store.completed([kari])
        assert "organisasjon/forarbeid/kartlegging" in done[kari]


async def test_a_reply_to_a_prompt_answers_that_prompt(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        running(fake, f"sqlite:///{tmp_path / 'k.db'}", clock) as service,
    ):
        await import_demo(service)
        links = await invite_links(service, clock)
        await fake.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
        await advance(service, clock, timedelta(days=1))
        count = len(fake.texts(KARI))
        await fake.write(KARI, "svar")
        await fake.wait_for(KARI, count + 1)
        first_prompt = fake.last(KARI)
        await fake.write(KARI, "Første svar.")
        await fake.wait_for(KARI, count + 2)
        await fake.write(KARI, "svar")  # the second prompt is pending now
        await fake.wait_for(KARI, count + 3)
        assert "Innbyggerens blikk" in fake.last(KARI).text
        await fake.write(KARI, "Et bedre første svar.", reply_to=first_prompt)
        await fake.wait_for(KARI, count + 4)
        assert "Svaret ditt på «Din erfaring» er oppdatert" in fake.last(KARI).text
        async with unit(service.db) as store:
            kari = await store.person_for_identity("telegram", str(KARI))
            assert kari is not None
            saved = await store.reflections(kari)
        assert [(r.activity_ref, r.text) for r in saved] == [
            ("kom-i-gang/forarbeid/refleksjon-1", "Et bedre første svar.")
        ]
