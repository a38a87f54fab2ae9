"""A broadcast to one gathering group of a mixed audience (Slack, Telegram, console, and one
person Kompis cannot reach), sent by `kompis broadcast` in its own process while `kompis run`
runs: RSVP buttons everywhere, an .ics, answers shown on each person's message, a
correction that edits every sent message (and re-sends, marked, where the message was
deleted), and a tally and delivery report that match what the fake platforms received."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from icalendar import Calendar

from bot.delivery.sender import Sender
from bot.domain.clock import FakeClock
from bot.domain.messages import Inbound
from bot.features.broadcasts_report import report
from bot.serve import Service
from bot.storage.repo import unit
from bot.transports.memory import MemoryTransport
from tests.fake_slack import FakeSlack
from tests.fake_telegram import FakeTelegram
from tests.helpers import ROOT, shipped_catalog
from tests.platforms_support import both_settings
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET, from_kompis, post, press
from tests.telegram_support import demo_start, import_demo, settle
from tests.test_telegram_scenario import button

OLA = 7002  # Telegram chat of Ola Bakken (tromso)
MESSAGE = """\
text:
  nb: "Samling {date} kl. {time} på {place}. Program: {agenda}"
  sv: "Träff {date} kl. {time} i {place}. Program: {agenda}"
agenda: {nb: Digital modenhet, nn: Digital modning, sv: Digital mognad}
"""
CORRECTED = MESSAGE + "place: Rådhuset, sal 2\n"


async def kompis(url: str, *args: str) -> tuple[int, str, str]:
    """`kompis ...` in its own process, on the running bot's database."""
    env = {**os.environ, "KOMPIS_DATABASE_URL": url}
    for name in ("KOMPIS_TELEGRAM_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def until(service: Service, check: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for what the bot does in the background (a Telegram update is polled, then
    answered)."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "it did not happen"
        service.app.delivery.wake()
        await asyncio.sleep(0.02)


async def test_broadcast_rsvp_ics_and_correction_across_platforms(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock(demo_start())
    url = database_url
    (tmp_path / "m.yaml").write_text(MESSAGE, encoding="utf-8")
    (tmp_path / "fixed.yaml").write_text(CORRECTED, encoding="utf-8")
    async with FakeSlack() as slack, FakeTelegram(per_second=300) as telegram:
        slack.set_rate_limits(channel=None)
        team = slack.add_team("Troms")
        kari = slack.add_user(team.id, "Kari", email="kari.nordvik@tromso.example.org")
        signer = SlackSigner(SECRET)
        service = Service(both_settings(slack, team, telegram, url), clock, shipped_catalog())
        console = MemoryTransport(platform="console")
        await service.start()
        try:
            await import_demo(service)
            assert service.slack is not None
            await service.slack.match_people()  # Kari: Slack
            async with unit(service.db) as store:
                ola = await store.person_by_email("ola.bakken@tromso.example.org")
                siri = await store.person_by_email("siri.haugen@alta.example.org")
                assert ola is not None and siri is not None
                await store.link_identity(ola.id, "telegram", str(OLA), str(OLA), clock.now())
                await store.link_identity(siri.id, "console", "siri", "siri", clock.now())
            # Emma (nettverket, the organiser) is in the group too, on no platform yet
            await settle(service)
            dm = slack.dm_channel(team.id, kari.id)
            slack_before = len(from_kompis(slack, dm))
            terminal = Sender(
                service.db, service.app.catalog, service.app.renderer, clock,
                {"console": console}, worker="console",
            )  # fmt: skip

            async def deliver() -> None:
                """Until nothing due is left: the bot's delivery, and the console's worker."""
                for _ in range(500):
                    await terminal.drain()
                    service.app.delivery.wake()
                    try:
                        await settle(service, within=0.05)
                        return
                    except AssertionError:
                        continue
                raise AssertionError("delivery did not settle")

            # the dry run shows who and how, and sends nothing
            code, out, err = await kompis(
                url, "broadcast", "--cohort", "demo", "--to", "group:dag-1",
                "--message", str(tmp_path / "m.yaml"), "--ics", "kom-i-gang/dag-1", "--rsvp",
                "--dry-run",
            )  # fmt: skip
            assert code == 0, err
            assert "4 recipient(s)" in out and "cannot be reached: Emma Hansen" in out
            assert "no en text: en readers get the nb text" in out
            assert "no nn text: nn readers get the nb text" in out
            assert "Digital modning" in out  # the nynorsk sample, its own agenda
            # one sample per locale and platform, in the platform's own markup
            assert (
                "--- sample: nb on telegram ---" in out and "--- sample: nn on console ---" in out
            )
            assert "<b>Kunngjøring fra dem som driver programmet</b>" in out
            assert "*Kunngjøring fra dem som driver programmet*" in out  # Slack mrkdwn
            assert "[Kommer] [Kommer ikke] [Kanskje]" in out
            async with unit(service.db) as store:
                assert await store.broadcasts("demo") == []

            code, out, err = await kompis(
                url, "broadcast", "--cohort", "demo", "--to", "group:dag-1",
                "--message", str(tmp_path / "m.yaml"), "--ics", "kom-i-gang/dag-1", "--rsvp",
            )  # fmt: skip
            assert code == 0, err
            assert "broadcast 1: 4 recipient(s), 1 unreachable" in out
            await deliver()

            # Telegram: the text with RSVP buttons, then the calendar file
            text, document = telegram.messages[OLA]
            assert "tirsdag 9. februar 2027 kl. 09:00 på Scandic Ishavshotel" in text.text
            assert document.kind == "document"
            first_ics = Calendar.from_ical(document.extra["content"])
            # Slack: the same, in Kari's DM
            posted = from_kompis(slack, dm)[slack_before:]
            assert any("Scandic Ishavshotel" in (p.text or "") for p in posted)
            (shared,) = slack.files_in(dm)
            assert shared.filename == "kom-i-gang-dag-1.ics"
            # the console: nynorsk frame, the bokmål text (the file had no nynorsk)
            (shown, calendar) = console.sent
            assert "Kunngjering frå dei som driv programmet" in shown.message.text
            assert calendar.message.attachment is not None

            # RSVPs from every platform
            await telegram.press(OLA, text, button(text, "^Kommer$"))
            slack_message = next(p for p in posted if "Scandic" in (p.text or ""))
            await post(service, press(signer, team, kari.id, slack_message, "Kanskje"))
            await service.app.handle(
                Inbound("console", "siri", "siri", action="rsvp:1:not_coming", event_id="c1")
            )
            await until(service, lambda: telegram.messages[OLA][0].edits == 2)
            await deliver()
            assert "Ditt svar: kommer." in telegram.messages[OLA][0].text
            assert "Ditt svar: kanskje." in (slack_message.text or "")
            assert "Svaret ditt: kjem ikkje." in console.sent[0].message.text

            async with unit(service.db) as store:
                made = await store.broadcast(1)
                assert made is not None
                shown_report = await report(store, service.app.catalog.cohort("demo"), made)
            assert shown_report.tally == {
                "Tromsø kommune": {"coming": 1, "maybe": 1},
                "Alta kommune": {"not_coming": 1},
                "Digitaliseringsnettverket": {"none": 1},
            }
            assert [p.name for p in shown_report.unanswered] == ["Emma Hansen"]
            assert shown_report.delivery == {
                ("slack", "Tromsø kommune"): {"sent": 1},
                ("telegram", "Tromsø kommune"): {"sent": 1},
                ("console", "Alta kommune"): {"sent": 1},
                ("none", "Digitaliseringsnettverket"): {"unreachable": 1},
            }
            code, out, err = await kompis(url, "broadcast", "status", "1")
            assert code == 0, err
            assert "not answered: Emma Hansen (Digitaliseringsnettverket)" in out
            assert "delivery" in out and "unreachable" in out

            # Ola deletes the message in Telegram: the correction is re-sent there, marked
            del telegram.by_id[(OLA, text.message_id)]
            telegram_before = len(telegram.messages[OLA])
            code, out, err = await kompis(
                url, "broadcast", "correct", "1", "--message", str(tmp_path / "fixed.yaml")
            )
            assert code == 0, err
            assert "3 sent copies edited" in out
            await deliver()
            # Slack and the console: edited in place, no second message
            assert "Rådhuset, sal 2" in (slack_message.text or "")
            assert "Rettelse" in (slack_message.text or "")
            assert "Ditt svar: kanskje." in (slack_message.text or "")
            assert len(slack.files_in(dm)) == 2
            assert console.edits and "Rådhuset, sal 2" in console.sent[0].message.text
            # Telegram: the deleted message could not be edited, so a new one, marked
            new = telegram.messages[OLA][telegram_before:]
            assert [m.kind for m in new] == ["text", "document"]
            assert "Rettelse" in new[0].text and "Rådhuset, sal 2" in new[0].text
            corrected = Calendar.from_ical(new[1].extra["content"])
            (before_event,) = first_ics.walk("VEVENT")
            (after_event,) = corrected.walk("VEVENT")
            assert after_event["UID"] == before_event["UID"]
            assert int(after_event["SEQUENCE"]) > int(before_event["SEQUENCE"])
            assert str(after_event["LOCATION"]) == "Rådhuset, sal 2"
            # an answer after the correction edits the corrected message
            await telegram.press(OLA, new[0], button(new[0], "Kanskje"))
            await until(service, lambda: telegram.messages[OLA][telegram_before].edits == 2)
            assert "Ditt svar: kanskje." in telegram.messages[OLA][telegram_before].text
            assert "Rettelse" in telegram.messages[OLA][telegram_before].text
            async with unit(service.db) as store:
                assert (await store.outbox_counts()).get("dead", 0) == 0
        finally:
            await service.stop()
