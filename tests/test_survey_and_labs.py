"""A self-assessment answer can be typed and corrected; the lab catalogue comes a few labs
per message, short enough for a phone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage.repo import unit
from tests.helpers import Harness

PER = "per.olsen"
ERIK = "erik.nystrom"
#: what one phone screen comfortably holds; the unpaged list was 1,380 characters
SHORT = 700


@pytest.fixture
async def norway(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(f"sqlite:///{tmp_path / 'tf.db'}", cohort="tf-2027")
    await h.start()
    yield h
    await h.stop()


@pytest.fixture
async def sweden(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(f"sqlite:///{tmp_path / 'vb.db'}", cohort="vb-2027")
    await h.start()
    yield h
    await h.stop()


async def stored_answers(harness: Harness, handle: str) -> dict[str, int]:
    async with unit(harness.app.db) as store:
        return await store.survey_answers(await harness.person_id(handle))


async def test_a_self_assessment_is_answered_by_number_and_can_be_changed(
    norway: Harness,
) -> None:
    await norway.advance(timedelta(days=1))
    await norway.say(PER, "kartlegging")
    assert "eller skriv tallet" in norway.last(PER)
    await norway.say(PER, "3")  # typed, as the prompt says
    assert "valgte du 3 av 5" in norway.last(PER)
    assert list((await stored_answers(norway, PER)).values()) == [3]

    await norway.say(PER, "kartlegging")  # the answer is shown, with the question
    shown = norway.transport.sent[-1].message
    assert "Svaret ditt nå: 3" in shown.text and len(shown.buttons) == 5
    await norway.say(PER, action=shown.buttons[3].action)
    changed = norway.last(PER)
    assert "Endret:" in changed and "er svaret ditt nå 4 av 5" in changed
    assert "(det var 3)" in changed
    assert list((await stored_answers(norway, PER)).values()) == [4]

    await norway.say(PER, action=norway.transport.sent[-1].message.buttons[0].action)
    assert "Svaret ditt nå: 4" in norway.last(PER)  # "change the answer" shows it again
    await norway.say(PER, "9")
    assert "Velg et tall fra 1 til 5" in norway.last(PER)
    await norway.say(PER, "hopp over")
    await norway.say(PER, "2")  # no longer waiting: a stray number
    assert "ingen knapp nummer 2" in norway.last(PER)
    assert list((await stored_answers(norway, PER)).values()) == [4]


async def test_the_lab_list_comes_a_few_labs_at_a_time(sweden: Harness) -> None:
    catalogue = sweden.app.catalog.programme_of("vb-2027").labs
    await sweden.say(ERIK, "lärlabb")
    seen: list[str] = []
    pages = 0
    while True:
        message = sweden.transport.sent[-1].message
        pages += 1
        assert len(message.text) <= SHORT, len(message.text)
        assert len(message.buttons) <= 4
        seen += [lab.id for lab in catalogue if f"lab_pick:{lab.id}" in _actions(message)]
        more = [b.action for b in message.buttons if b.action.startswith("labs_more:")]
        if not more:
            break
        await sweden.say(ERIK, action=more[0])
    assert seen == [lab.id for lab in catalogue]  # every lab once, in catalogue order
    assert pages == 4
    assert f"10. {catalogue[9].title['sv']}" in sweden.last(ERIK)  # numbers stay global
    await sweden.say(ERIK, "labb 10")
    assert catalogue[9].title["sv"] in sweden.last(ERIK) and "Dina labb:" in sweden.last(ERIK)


def _actions(message: object) -> list[str]:
    return [b.action for b in getattr(message, "buttons", ())]
