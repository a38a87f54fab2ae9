"""Slack over HTTP through `kompis run`'s composition: strangers, join codes, signatures,
retried events."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, join_codes, post, running, texts
from tests.telegram_support import demo_start, import_demo, settle


async def test_a_stranger_then_a_join_code(tmp_path: Path) -> None:
    clock = FakeClock(demo_start())
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Norrbotten")
        anna = fake.add_user(team.id, "Anna", locale="sv-SE")
        signer = SlackSigner(SECRET)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}", clock) as service:
            await import_demo(service)
            codes = await join_codes(service, clock)
            dm = fake.dm_channel(team.id, anna.id)

            answer = await post(
                service, signer.event(team, fake.user_writes(team.id, anna.id, "hej"))
            )
            assert answer.status_code == 200
            await fake.wait_for("chat.postMessage")
            assert "Jag vet inte vem du är än" in texts(fake, dm)[-1]

            code = codes["anna.lindqvist@kiruna.example.org"]
            await post(
                service, signer.event(team, fake.user_writes(team.id, anna.id, f"join {code}"))
            )
            await fake.wait_for("chat.postMessage", 3)
            welcome = [t for t in texts(fake, dm) if t.startswith("Välkommen, Anna!")]
            assert welcome, texts(fake, dm)
            async with unit(service.db) as store:
                assert await store.person_for_identity("slack", anna.id, team.id) is not None
            sent = fake.calls_to("chat.postMessage")
            assert all(call.token == team.bot_token for call in sent)
            assert all(call.args.get("text") and call.args.get("blocks") for call in sent)


async def test_forged_and_stale_requests_get_401_and_no_work(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        team = fake.add_team("Norrbotten")
        anna = fake.add_user(team.id, "Anna", locale="sv-SE")
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}") as service:
            event = fake.user_writes(team.id, anna.id, "status")
            forged = SlackSigner("not-the-secret").event(team, event)
            stale = SlackSigner(SECRET).event(team, event, age=6 * 60)
            for request in (forged, stale):
                answer = await post(service, request)
                assert answer.status_code == 401
            await settle(service)
            assert fake.calls_to("chat.postMessage") == []
            assert fake.calls_to("users.info") == []


async def test_a_retried_event_is_handled_once(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Norrbotten")
        anna = fake.add_user(team.id, "Anna", locale="sv-SE")
        signer = SlackSigner(SECRET)
        async with running(fake, team, f"sqlite:///{tmp_path / 'k.db'}") as service:
            event = fake.user_writes(team.id, anna.id, "hej")
            first = signer.event(team, event, event_id="Ev0000000001")
            again = signer.event(team, event, event_id="Ev0000000001", retry=(1, "http_timeout"))
            assert json.loads(first.body)["event_id"] == json.loads(again.body)["event_id"]
            await post(service, first)
            await fake.wait_for("chat.postMessage")
            assert (await post(service, again)).status_code == 200
            # a later, different event is answered: by then the retry had its chance
            await post(service, signer.event(team, fake.user_writes(team.id, anna.id, "hallå")))
            await fake.wait_for("chat.postMessage", 2)
            await settle(service)
            assert len(fake.calls_to("chat.postMessage")) == 2
