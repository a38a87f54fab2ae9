"""The bank on the real platform edges: on Telegram (fake Bot API), a leader shares an answer
by button and her buddy comments on it; the buttons carry only opaque ids. On Slack (fake
Web API), the answer modal has the choice of who may read it."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.domain.people import Visibility
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.fake_telegram import FakeTelegram
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, from_kompis, join_codes, post, press, running
from tests.slack_support import texts as slack_texts
from tests.telegram_support import advance, demo_start, import_demo, invite_links
from tests.telegram_support import running as telegram_running
from tests.test_telegram_scenario import button

KARI, ANNA = 7001, 7004
REF = "kom-i-gang/forarbeid/refleksjon-1"


async def test_share_by_button_and_a_buddy_comments_on_telegram(database_url: str) -> None:
    clock = FakeClock(demo_start())
    async with (
        FakeTelegram(per_second=300) as fake,
        telegram_running(fake, database_url, clock) as service,
    ):
        await import_demo(service)
        links = await invite_links(service, clock)
        await fake.write(KARI, f"/start {links['kari.nordvik@tromso.example.org']}", "nb")
        await fake.write(ANNA, f"/start {links['anna.lindqvist@kiruna.example.org']}", "sv")
        await fake.wait_for(KARI, 2)
        await fake.wait_for(ANNA, 2)
        async with unit(service.db) as store:
            kari = await store.person_for_identity("telegram", str(KARI))
            anna = await store.person_for_identity("telegram", str(ANNA))
            assert kari is not None and anna is not None
            await store.save_buddy_groups("demo", 1, [[kari, anna]], clock.now())
        await advance(service, clock, timedelta(days=1))
        kari_count, anna_count = len(fake.texts(KARI)), len(fake.texts(ANNA))

        await fake.write(KARI, "svar")
        await fake.wait_for(KARI, kari_count + 1)
        await fake.write(KARI, "Vi glemte brukerne, og det lærte vi av.")
        await fake.wait_for(KARI, kari_count + 2)
        saved = fake.last(KARI)
        assert "Du og læringsvennen din kan lese det." in saved.text
        callbacks = [key["callback_data"] for row in saved.buttons for key in row]
        # opaque ids only: no entry number, no action, nothing about the author
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{16}", c) for c in callbacks), callbacks
        await advance(service, clock, timedelta(minutes=11))  # the invitation waits 10 min
        await fake.wait_for(ANNA, anna_count + 1)  # the buddy is invited to comment
        invite = fake.last(ANNA)
        assert "Din lärkompis Kari Nordvik har delat ett svar" in invite.text

        await fake.press(KARI, saved, button(saved, "Kullet, med navnet"))
        await fake.wait_for(KARI, kari_count + 3)
        assert "Alle i kullet kan lese det, med navnet ditt." in fake.last(KARI).text

        comment = button(invite, "Kommentera")
        await fake.press(ANNA, invite, comment, "sv")
        await fake.wait_for(ANNA, anna_count + 2)
        assert "Skriv din kommentar" in fake.last(ANNA).text
        await fake.write(ANNA, "Samma hos oss i Kiruna!", "sv")
        await fake.wait_for(ANNA, anna_count + 3)
        assert "Tack! Din kommentar" in fake.last(ANNA).text
        await fake.wait_for(KARI, kari_count + 4)
        told = fake.last(KARI)
        assert "Anna Lindqvist har kommentert svaret ditt" in told.text
        assert "Samma hos oss i Kiruna!" in told.text
        # a forged callback (a button of Anna's pressed by Kari) does nothing but a toast
        forged = await fake.press(KARI, invite, comment, forwarded_to=KARI)
        for _ in range(500):  # every query is answered, refused or not
            if forged in fake.answered:
                break
            await asyncio.sleep(0.01)
        assert fake.answered[forged]["text"].startswith("Denne knappen er ikke til deg")
        assert len(fake.texts(KARI)) == kari_count + 4

        # the digilog goes on in one thread per reflection in each chat: Kari answers (her
        # answer reaches Anna under the invitation), Anna again (under Kari's first notice)
        await fake.press(KARI, told, button(told, "Svar"))
        await fake.wait_for(KARI, kari_count + 5)
        await fake.write(KARI, "Hva gjorde dere i Kiruna?")
        await fake.wait_for(ANNA, anna_count + 4)
        answer = fake.last(ANNA)
        assert "Hva gjorde dere i Kiruna?" in answer.text
        assert answer.extra.get("reply_to") == invite.message_id
        await fake.press(ANNA, answer, button(answer, "Svara"), "sv")
        await fake.wait_for(ANNA, anna_count + 5)
        await fake.write(ANNA, "Vi frågade invånarna först.", "sv")
        await fake.wait_for(KARI, kari_count + 7)
        again = [m for m in fake.messages[KARI] if "Vi frågade invånarna först." in m.text]
        assert again and again[-1].extra.get("reply_to") == told.message_id


async def test_the_slack_answer_modal_asks_who_may_read_it(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari", locale="nb-NO")
        signer = SlackSigner(SECRET)
        dm = fake.dm_channel(team.id, kari.id)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            join = f"join {codes['kari.nordvik@tromso.example.org']}"
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, join)))
            await count(fake, dm, 2)
            await advance(service, clock, timedelta(days=1))
            await count(fake, dm, 3)
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, "status")))
            await count(fake, dm, 4)
            status = from_kompis(fake, dm)[-1]
            trigger = fake.trigger(team.id, kari.id)
            await post(service, press(signer, team, kari.id, status, "Svar på", trigger))
            (opened,) = await fake.wait_for("views.open")
            view = opened.response["view"] if opened.response else {}
            share = next(b for b in view["blocks"] if b.get("block_id") == "share")
            assert share["label"]["text"] == "Hvem kan lese det?"
            options = [o["text"]["text"] for o in share["element"]["options"]]
            assert options == [
                "Bare meg",
                "Læringsvennen min",
                "Kullet, med navnet mitt",
                "Kullet, uten navn",
            ]
            assert share["element"]["initial_option"]["value"] == "buddy"  # bank_default
            await count(fake, dm, 5)
            submit = signer.view_submission(
                team,
                kari.id,
                view,
                {"answer": {"text": "Vi tok med brukerne."}},
                choices={"share": {"visibility": "anonymous"}},
            )
            assert (await post(service, submit)).status_code == 200
            await count(fake, dm, 7)
            shown = slack_texts(fake, dm)
            assert "er lagret" in shown[-2]
            assert "Alle i kullet kan lese det, uten navnet ditt." in shown[-1]
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                entry = await store.reflection_id(person, REF)
                assert entry is not None
                history = await store.consents(entry)
            assert [v for v, _, _ in history] == [Visibility.BUDDY, Visibility.ANONYMOUS]
            assert json.dumps(view).count("Kari") == 0
