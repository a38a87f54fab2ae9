"""The App Home tab and the answer modal, through `kompis run`'s composition."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.slack_signing import SlackSigner, app_home_opened
from tests.slack_support import (
    SECRET,
    count,
    from_kompis,
    join_codes,
    post,
    press,
    running,
    texts,
)
from tests.telegram_support import advance, demo_start, import_demo


def home_text(fake: FakeSlack, team_id: str, user_id: str) -> str:
    home = fake.home(team_id, user_id)
    assert home is not None, "no Home published"
    return json.dumps(home.view["blocks"], ensure_ascii=False)


async def test_home_and_the_answer_modal(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari", locale="en-US")  # Slack in English, Kompis in nb
        stranger = fake.add_user(team.id, "Per", locale="sv-SE")
        signer = SlackSigner(SECRET)
        dm = fake.dm_channel(team.id, kari.id)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            join = f"join {codes['kari.nordvik@tromso.example.org']}"
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, join)))
            await count(fake, dm, 2)
            await advance(service, clock, timedelta(days=1))  # the stage opens
            await count(fake, dm, 3)

            # Home: the status in Kari's language; a stranger's Home says how to join
            home = app_home_opened(kari.id, dm)
            await post(service, signer.event(team, home))
            await fake.wait_for("views.publish")
            shown = home_text(fake, team.id, kari.id)
            assert "Din status" in shown and "Forarbeid" in shown, shown
            assert "ikke gjort ennå" in shown
            # and her gathering group's next gathering: when and where
            assert "Neste samling: Hva er digital transformasjon?" in shown, shown
            assert "Når: tirsdag 9. februar 2027, kl. 09:00–15:00" in shown
            assert "Hvor: Scandic Ishavshotel, Tromsø" in shown
            assert "Kiruna stadshus" not in shown  # the other group's
            other = app_home_opened(stranger.id, fake.dm_channel(team.id, stranger.id))
            await post(service, signer.event(team, other))
            await fake.wait_for("views.publish", 2)
            assert "Jag vet inte vem du är än" in home_text(fake, team.id, stranger.id)

            # the Answer button opens a modal with the question, in Kari's language
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, "status")))
            await count(fake, dm, 4)
            status = from_kompis(fake, dm)[-1]
            trigger = fake.trigger(team.id, kari.id)
            await post(service, press(signer, team, kari.id, status, "Svar på", trigger))
            (opened,) = await fake.wait_for("views.open")
            view = opened.response["view"] if opened.response else {}
            modal = json.dumps(view, ensure_ascii=False)
            assert "Tenk på en digital endring" in modal and "Lagre" in modal, modal
            assert any(b["type"] == "input" for b in view["blocks"])
            await count(fake, dm, 5)  # the prompt in the DM too

            before = len(fake.calls_to("views.publish"))
            answer = "Vi digitaliserte byggesaker.\n\nOg vi tok med brukerne."
            submit = signer.view_submission(team, kari.id, view, {"answer": {"text": answer}})
            assert (await post(service, submit)).status_code == 200
            await count(fake, dm, 6)
            assert "er lagret" in texts(fake, dm)[-1]
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                (saved,) = await store.reflections(person)
            assert saved.text == answer
            # Home follows the change
            await fake.wait_for("views.publish", before + 1)
            assert home_text(fake, team.id, kari.id) != shown


async def test_the_answer_modal_in_swedish(tmp_path: Path) -> None:
    """A Swedish leader's modal: title, label, buttons and question all in Swedish."""
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        anna = fake.add_user(team.id, "Anna", locale="en-US")  # Slack in English, Kompis in sv
        signer = SlackSigner(SECRET)
        dm = fake.dm_channel(team.id, anna.id)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            join = f"join {codes['anna.lindqvist@kiruna.example.org']}"
            await post(service, signer.event(team, fake.user_writes(team.id, anna.id, join)))
            await count(fake, dm, 2)
            await advance(service, clock, timedelta(days=1))  # the stage opens
            await count(fake, dm, 3)
            await post(service, signer.event(team, fake.user_writes(team.id, anna.id, "status")))
            await count(fake, dm, 4)
            status = from_kompis(fake, dm)[-1]
            trigger = fake.trigger(team.id, anna.id)
            await post(service, press(signer, team, anna.id, status, "Svara på", trigger))
            (opened,) = await fake.wait_for("views.open")
            view = opened.response["view"] if opened.response else {}
            assert view["title"]["text"] == "Ditt svar"
            assert view["submit"]["text"] == "Spara" and view["close"]["text"] == "Avbryt"
            modal = json.dumps(view["blocks"], ensure_ascii=False)
            assert "Skriv ditt svar här" in modal, modal
            assert "Tänk på en digital förändring" in modal, modal
            assert "Lagre" not in modal and "Tenk på" not in modal
            # her Home: the next gathering of her group (dag-2), in Swedish
            await post(service, signer.event(team, app_home_opened(anna.id, dm)))
            await fake.wait_for("views.publish")
            shown = home_text(fake, team.id, anna.id)
            assert "Nästa träff: " in shown and "Kiruna stadshus" in shown, shown
