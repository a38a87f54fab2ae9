"""A leader in nb and one in sv through one module stage in Slack: stage message, Done
button (the pressed message is updated), reflection by DM reply, snooze, status."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.slack_signing import SlackSigner
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
from tests.telegram_support import advance, demo_start, import_demo, settle


async def test_one_stage_in_nb_and_sv(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari", locale="nb-NO")
        anna = fake.add_user(team.id, "Anna", locale="sv-SE")
        signer = SlackSigner(SECRET)
        kari_dm, anna_dm = fake.dm_channel(team.id, kari.id), fake.dm_channel(team.id, anna.id)

        async def say(user: str, text: str) -> None:
            await post(service, signer.event(team, fake.user_writes(team.id, user, text)))

        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            await say(kari.id, f"join {codes['kari.nordvik@tromso.example.org']}")
            await say(anna.id, f"join {codes['anna.lindqvist@kiruna.example.org']}")
            await count(fake, kari_dm, 2)  # welcome, status
            await count(fake, anna_dm, 2)

            await advance(service, clock, timedelta(days=1))  # Monday 09:00: the stage opens
            assert "Nå kan du begynne" in texts(fake, kari_dm)[-1]
            assert "Nu kan du börja" in texts(fake, anna_dm)[-1]

            # a reflection by DM reply: the prompt, then the next text is the answer
            await say(kari.id, "svar")
            await count(fake, kari_dm, 4)
            assert "Tenk på en digital endring" in texts(fake, kari_dm)[-1]
            await say(
                kari.id, "Vi digitaliserte byggesaker. <!channel> & <https://x.example.org|her>"
            )
            await count(fake, kari_dm, 5)
            assert "er lagret" in texts(fake, kari_dm)[-1]
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                (saved,) = await store.reflections(person)
            assert saved.text.startswith("Vi digitaliserte byggesaker. <!channel> &")

            # done by button, from the status message; the pressed message shows it
            await say(kari.id, "status")
            await count(fake, kari_dm, 6)
            status = from_kompis(fake, kari_dm)[-1]
            await post(service, press(signer, team, kari.id, status, "gruppeoppgave"))
            await count(fake, kari_dm, 7)
            assert "er merket som ferdig" in texts(fake, kari_dm)[-1]
            (update,) = fake.calls_to("chat.update")
            assert update.args["ts"] == status.ts
            assert status.edits and not any(b["type"] == "actions" for b in status.blocks or [])
            assert "✓" in str(status.blocks)

            # snooze in Swedish, by button
            before = len(from_kompis(fake, anna_dm))
            await say(anna.id, "skjut upp")
            await count(fake, anna_dm, before + 1)
            choose = from_kompis(fake, anna_dm)[-1]
            await post(service, press(signer, team, anna.id, choose, "3"))
            await count(fake, anna_dm, before + 2)
            last = texts(fake, anna_dm)[-1]
            assert "väntar" in last.lower() or "påminn" in last

            before = len(from_kompis(fake, anna_dm))
            await say(anna.id, "status")
            await count(fake, anna_dm, before + 1)
            assert "Din status" in texts(fake, anna_dm)[-1]
            await settle(service)
            assert not any(m.missing_text_fallback for m in fake.received(kari_dm))
