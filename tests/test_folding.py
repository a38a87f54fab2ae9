"""A buddy introduction rides in the day's message: on the day a theme opens a leader of
vb-2027 gets one message with the theme and their buddy (and the buddy's button), not two."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import pytest

from bot.domain.buddy_rounds import buddy_rounds
from tests.helpers import Harness
from tests.reminder_support import record

COHORT = "vb-2027"


async def test_the_introduction_is_part_of_the_message_of_the_day(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    h = Harness(database_url, cohort=COHORT)
    await h.start()
    try:
        rec = record(h)
        first = buddy_rounds(h.cohort)[0]
        await h.advance(first.starts_at - h.clock.now() + timedelta(hours=2))
        day = first.starts_at.astimezone(h.cohort.tz).date()
        that_day = [r for r in rec.log if r.at.date() == day]
        per_person = Counter(r.chat for r in that_day)
        assert per_person and max(per_person.values()) == 1, per_person
        introduced = [r for r in that_day if "lärkompis" in r.text.lower()]
        assert len(introduced) >= 2 * (len(per_person) // 2)  # everyone paired, in one message
        sample = introduced[0]
        sent = [
            s
            for s in h.transport.sent
            if s.address.chat_id == sample.chat and "lärkompis" in s.message.text.lower()
        ]
        assert len(sent) == 1
        assert len(sent[0].message.text) > len("lärkompis") * 20  # the theme is in it too
        labels = [b.label for s in sent for b in s.message.buttons]
        assert any("lärkompis" in label.lower() for label in labels), labels
        # a row merged into the message of the day is not a lease that ran out
        assert not [r for r in caplog.records if "no longer ours" in r.getMessage()]
    finally:
        await h.stop()
