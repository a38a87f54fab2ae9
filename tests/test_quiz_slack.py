"""A quiz on Slack through the fake Web API, with signed block actions: each press updates
the question (``chat.update``) to show the choice right or wrong and the explanation, the
next question below; a stale button gets a clear reply and is counted once."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.invites import issue
from bot.serve import Service
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.quiz_support import REF, quiz_catalog
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, from_kompis, post, press, settings_for, texts
from tests.telegram_support import DEMO_CSV, settle
from tests.test_quiz_telegram import until


async def test_a_quiz_by_buttons_on_slack(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2027, 1, 11, 11, 0, tzinfo=UTC))
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari", locale="nb-NO")
        signer = SlackSigner(SECRET)
        dm = fake.dm_channel(team.id, kari.id)
        settings = settings_for(fake, team, f"sqlite:///{tmp_path / 'k.db'}")
        service = Service(settings, clock, quiz_catalog())
        await service.start()

        async def say(text: str) -> None:
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, text)))

        async def tap(index: int, label: str, edits: int = 0) -> None:
            """Press, and wait until the pressed message had ``edits`` updates in all."""
            message = from_kompis(fake, dm)[index]
            await post(service, press(signer, team, kari.id, message, label))
            await until(lambda: len(message.edits) >= edits)
            await settle(service)

        try:
            await service.app.import_participants("demo", DEMO_CSV)
            lines = await issue(settings, quiz_catalog(), "demo", "KompisTestBot", clock)
            code = next(x.join_code for x in lines if x.email.startswith("kari.nordvik"))
            await say(f"join {code}")
            await count(fake, dm, 2)  # welcome, status
            await tap(-1, "Ta quizen")
            await count(fake, dm, 3)
            first = from_kompis(fake, dm)[-1]
            assert "Spørsmål 1 av 3" in (first.text or "")
            stale = copy.deepcopy(first)
            await tap(-1, "2.")
            await count(fake, dm, 4)
            # the pressed question now reads as its feedback; the next question below it
            assert "Det er riktig." in (first.text or "") and len(first.edits) >= 2
            assert "En digilog er en digital dialog" in str(first.blocks)
            assert not any(b["type"] == "actions" for b in first.blocks or [])
            assert "Spørsmål 2 av 3" in texts(fake, dm)[-1]
            # a double press, on a copy of the question as it was: a clear reply
            await post(service, press(signer, team, kari.id, stale, "2."))
            await count(fake, dm, 5)
            assert "Du har allerede svart på dette spørsmålet" in texts(fake, dm)[-1]
            # each press: Slack shows it (one update), Kompis marks the choice (another)
            await tap(3, "1.", edits=2)
            assert "1. Nye arbeidsmåter (valgt)" in (from_kompis(fake, dm)[3].text or "")
            await tap(3, "3.", edits=4)
            await tap(3, "Sjekk svaret mitt", edits=6)
            await count(fake, dm, 6)
            assert "Det er riktig." in (from_kompis(fake, dm)[3].text or "")
            # abandoned, then resumed where it was left
            await say("hopp over")
            await count(fake, dm, 7)
            await say("quiz")
            await count(fake, dm, 8)
            assert "Du er tilbake i «Quiz: kom i gang»" in texts(fake, dm)[-1]
            await tap(-1, "1.")
            await count(fake, dm, 9)
            assert "Du fikk 3 av 3 spørsmål riktig." in texts(fake, dm)[-1]
            await tap(-1, "Ta quizen på nytt")
            await count(fake, dm, 10)
            assert "Nytt forsøk" in texts(fake, dm)[-1]
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                scores = await store.quiz_scores(person, REF)
                takes = await store.quiz_attempts([person], REF)
                answered = await store.quiz_answers(t.id for t in takes)
            assert scores is not None and (scores.best, scores.latest, scores.takes) == (3, 3, 1)
            assert [(a.question_id, a.right) for a in answered] == [
                ("q1", True),
                ("q2", True),
                ("q3", True),
            ]
        finally:
            await service.stop()
