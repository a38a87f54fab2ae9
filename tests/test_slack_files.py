"""A message with a file (a calendar file, an export) on Slack: the file is uploaded
(files_upload_v2 against the strict fake) into the person's DM, then the message follows."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.domain.messages import Attachment, Outgoing
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, count, join_codes, post, running, texts
from tests.telegram_support import advance, demo_start, import_demo, settle

DONE = {"title": "Samling", "stage": "Forarbeid", "module": "Kom i gang"}
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


async def test_a_calendar_file_is_uploaded_to_the_dm(tmp_path: Path) -> None:
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
            join = f"join {codes['kari.nordvik@tromso.example.org']}"
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, join)))
            await count(fake, dm, 2)
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                file = Attachment("samling.ics", "text/calendar", base64.b64encode(ICS).decode())
                item = Outgoing(person, "done_ok", DONE, key="file", attachment=file)
                await store.enqueue([item], datetime.now(UTC))
            service.app.delivery.wake()
            await count(fake, dm, 3)
            await settle(service)

            (shared,) = fake.files_in(dm)
            assert shared.filename == "samling.ics" and shared.content == ICS
            assert shared.title == "samling.ics" and shared.thread_ts is None
            assert "Samling" in texts(fake, dm)[-1]  # the message with it
            async with unit(service.db) as store:
                assert (await store.outbox_counts()).get("dead", 0) == 0


async def test_a_failed_upload_posts_nothing_and_is_retried(tmp_path: Path) -> None:
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
            join = f"join {codes['kari.nordvik@tromso.example.org']}"
            await post(service, signer.event(team, fake.user_writes(team.id, kari.id, join)))
            await count(fake, dm, 2)
            fake.fail_next(503, method="files.completeUploadExternal")
            async with unit(service.db) as store:
                person = await store.person_for_identity("slack", kari.id, team.id)
                assert person is not None
                file = Attachment("eksport.csv", "text/csv", base64.b64encode(b"a;b\n").decode())
                item = Outgoing(person, "done_ok", DONE, key="csv", attachment=file)
                await store.enqueue([item], datetime.now(UTC))
            service.app.delivery.wake()
            await fake.wait_for("files.completeUploadExternal")
            await settle(service)
            assert fake.files_in(dm) == [] and len(texts(fake, dm)) == 2  # nothing half-sent
            async with unit(service.db) as store:
                assert (await store.outbox_counts()).get("dead", 0) == 0
            await advance(service, clock, timedelta(minutes=5))  # the retry is due
            await count(fake, dm, 3)
            (shared,) = fake.files_in(dm)
            assert shared.content == b"a;b\n" and len(texts(fake, dm)) == 3
            async with unit(service.db) as store:
                assert (await store.outbox_counts()).get("dead", 0) == 0
