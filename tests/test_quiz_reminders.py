"""A quiz is tracked work: its stage's reminders go to those who have not finished it, and
stop for those who have (a scenario over the stage's two weeks on the injected clock)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.helpers import Harness
from tests.quiz_support import ANNA, KARI, OLA, SIRI, quiz_catalog
from tests.reminder_support import record


async def test_reminders_chase_only_those_who_have_not_finished_the_quiz(
    database_url: str,
) -> None:
    h = Harness(database_url, catalog=quiz_catalog())
    await h.start()
    try:
        log = record(h)
        await h.advance(timedelta(days=1))  # Monday 11 January: the stage opens
        opened = {handle: log.of(handle) for handle in (KARI, OLA, SIRI, ANNA)}
        assert all(len(found) == 1 for found in opened.values())
        assert (
            "Skriv «quiz» eller trykk «Ta quizen» for å begynne på quizen." in opened[KARI][0].text
        )
        assert "Skriv ”quiz” eller tryck på ”Gör quizen”" in opened[ANNA][0].text
        await h.say(KARI, "quiz")
        for text in ("2", "1 3", "1"):
            await h.say(KARI, text)
        await h.say(ANNA, "quiz")  # begun, not finished
        await h.say(ANNA, "2")
        await h.say(OLA, "done kom-i-gang/quiz/quiz")  # a quiz is not ticked off by hand
        assert "er en quiz: den blir ferdig når du har tatt den" in h.last(OLA)
        sent_before = {handle: len(log.of(handle)) for handle in (KARI, OLA, SIRI, ANNA)}
        await h.advance(timedelta(days=14))
        later = {
            handle: [r for r in log.of(handle)][sent_before[handle] :]
            for handle in (KARI, OLA, SIRI, ANNA)
        }
        # Kari finished: no reminder at all; the others are chased before and on the due day
        assert later[KARI] == []
        expected = {
            OLA: ("Fristen er om 3 dager", "I dag er fristen", "- Quiz: kom i gang"),
            SIRI: ("Fristen er om 3 dagar", "I dag er fristen", "- Quiz: kom i gang"),
            ANNA: ("Sista dagen är om 3 dagar", "I dag är sista dagen", "- Quiz: kom igång"),
        }
        for handle, (before, due, item) in expected.items():
            texts = [r.text for r in later[handle]]
            assert any(before in t and item in t for t in texts), (handle, texts)
            assert any(due in t for t in texts), (handle, texts)
        chasers = [s for s in h.transport.sent if s.address.chat_id == OLA and s.message.buttons]
        assert ("Ta quizen", "quiz") in [(b.label, b.action) for b in chasers[-1].message.buttons]
    finally:
        await h.stop()


async def test_a_coordinator_sees_how_many_of_their_leaders_took_the_quiz(
    database_url: str, tmp_path: Path
) -> None:
    h = Harness(database_url, catalog=quiz_catalog())
    await h.start()
    try:
        more = tmp_path / "more.csv"
        more.write_text(
            "name;email;organisation;role;locale\n"
            "Per Prøve;per.prove@tromso.example.org;tromso;participant;nb\n",
            encoding="utf-8",
        )
        await h.app.import_participants("demo", more, platform="memory")
        log = record(h)
        await h.advance(timedelta(days=1))
        await h.say(KARI, "quiz")
        for text in ("2", "1 3", "1"):
            await h.say(KARI, text)
        await h.advance(timedelta(days=11))
        overviews = [r.text for r in log.of(OLA) if "oversikt" in r.text]
        assert overviews, [r.text for r in log.of(OLA)]
        assert "«Quiz: kom i gang»: 1 av 2 ledere har tatt quizen." in overviews[-1]
        assert "Per Prøve: 0/1" in overviews[-1] and "Kari Nordvik: 1/1" in overviews[-1]
    finally:
        await h.stop()
