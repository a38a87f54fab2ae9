"""``mydata`` and ``forget`` on Slack against the strict fake: the export is uploaded into
the person's DM as a file, the yes button (a block action) deletes, and the last word
reaches the DM of a person Kompis no longer knows."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, from_kompis, join_codes, post, press, running, texts
from tests.telegram_support import demo_start, import_demo, settle

EMAIL = "kari.nordvik@tromso.example.org"


async def test_mydata_is_uploaded_and_forget_yes_deletes(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Nordkalotten")
        kari = fake.add_user(team.id, "Kari", locale="nb-NO")
        dm = fake.dm_channel(team.id, kari.id)
        signer = SlackSigner(SECRET)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            join = f"join {codes[EMAIL]}"
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, join)))
            await count(fake, dm, 2)
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, "mydata")))
            await count(fake, dm, 3)
            await settle(service)
            (shared,) = fake.files_in(dm)
            assert shared.filename.startswith("kompis-mydata-")
            data = json.loads(shared.content)
            assert data["person"]["email"] == EMAIL
            assert data["chat_accounts"][0]["platform"] == "slack"
            assert "Her er alt jeg lagrer om deg" in texts(fake, dm)[-1]

            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, "glem")))
            await count(fake, dm, 4)
            question = from_kompis(fake, dm)[-1]
            await post(service, press(signer, team, kari.id, question, "Ja, slett alt"))
            await count(fake, dm, 5)
            await settle(service)
            assert "Jeg har slettet alt jeg lagret om deg" in texts(fake, dm)[-1]
            async with unit(service.db) as store:
                assert await store.people_with_email(EMAIL) == []
                assert await store.person_for_identity("slack", kari.id, team.id) is None
