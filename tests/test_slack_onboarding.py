"""People matched by e-mail when Kompis meets the workspace, and the /kompis slash command
(join, status, help), through `kompis run`'s composition."""

from __future__ import annotations

from pathlib import Path

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, join_codes, post, running, texts
from tests.telegram_support import demo_start, import_demo, settle


async def test_matched_by_email_and_the_slash_command(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari", email="Kari.Nordvik@tromso.example.org")
        anna = fake.add_user(team.id, "Anna", locale="sv-SE")  # no e-mail Kompis knows
        gone = fake.add_user(team.id, "Ola", email="ola.bakken@tromso.example.org")
        fake.deactivate_user(team.id, gone.id)
        signer = SlackSigner(SECRET)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            assert service.slack is not None
            # the start's own pass may run at the same moment: one of the two links Kari, and
            # the other waits for it (so nobody is looked up twice, counted below)
            await service.slack.match_people()
            kari_dm = fake.dm_channel(team.id, kari.id)
            await count(fake, kari_dm, 2)
            welcome, status = texts(fake, kari_dm)
            assert welcome.startswith("Velkommen, Kari!")  # her language from the CSV
            assert "status" in status.lower()
            assert len(fake.calls_to("users.lookupByEmail")) == 6  # everyone imported, once
            assert await service.slack.match_people() == 0
            assert len(fake.calls_to("users.lookupByEmail")) == 6  # not found: not asked again

            # /kompis join CODE from a channel: linked, answered in Swedish in that channel
            # for Anna only (ephemeral), nothing in the shared channel or the DM
            channel = fake.add_channel(team.id)
            codes = await join_codes(service, clock)
            code = codes["anna.lindqvist@kiruna.example.org"]
            answer = await post(
                service, signer.slash_command(team, anna.id, channel, "/kompis", f"join {code}")
            )
            assert answer.status_code == 200 and answer.text == ""
            await fake.wait_for("chat.postEphemeral", 2)
            shown = fake.ephemerals(channel)
            assert [e.user for e in shown] == [anna.id, anna.id]
            assert (shown[0].text or "").startswith("Välkommen, Anna!")
            assert fake.received(channel) == []  # nothing in the shared channel
            anna_dm = fake.dm_channel(team.id, anna.id)
            assert texts(fake, anna_dm) == []

            # /kompis status in a channel: ephemeral there; Kari's DM gets nothing
            await post(service, signer.slash_command(team, kari.id, channel, "/kompis", "status"))
            await fake.wait_for("chat.postEphemeral", 3)
            assert fake.ephemerals(channel)[-1].user == kari.id
            assert "Din status" in (fake.ephemerals(channel)[-1].text or "")
            assert len(texts(fake, kari_dm)) == 2

            await post(service, signer.slash_command(team, kari.id, kari_dm, "/kompis", "status"))
            await count(fake, kari_dm, 3)
            assert "Din status" in texts(fake, kari_dm)[-1]
            await post(service, signer.slash_command(team, kari.id, kari_dm, "/kompis"))
            await count(fake, kari_dm, 4)
            assert "status" in texts(fake, kari_dm)[-1].lower()
            await settle(service)
            async with unit(service.db) as store:
                assert await store.person_for_identity("slack", gone.id, team.id) is None
                assert await store.person_for_identity("slack", anna.id, team.id) is not None
