"""Taking a quiz on the memory transport (the console's numbered buttons work the same): take,
abandon, resume, retake; feedback on every answer; scores that match what was answered; and
every wrong press (double, stale, someone else's, a finished take) a clear reply, counted
once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain.quiz import Scores
from bot.storage.repo import unit
from tests.helpers import Harness
from tests.quiz_support import ANNA, KARI, OLA, REF, SIRI, quiz_catalog


@pytest.fixture
async def quiz(database_url: str) -> AsyncIterator[Harness]:
    h = Harness(database_url, catalog=quiz_catalog())
    await h.start()
    await h.advance(timedelta(days=1))  # the quiz stage opens
    try:
        yield h
    finally:
        await h.stop()


def buttons(h: Harness, handle: str) -> list[tuple[str, str]]:
    """The buttons of the latest message to ``handle`` that has any: (label, action)."""
    for sent in reversed(h.transport.sent):
        if sent.address.chat_id == handle and sent.message.buttons:
            return [(b.label, b.action) for b in sent.message.buttons]
    raise AssertionError(f"{handle} has no buttons")


def press(h: Harness, handle: str, label: str) -> str:
    """The action of the latest button to ``handle`` whose label starts with ``label``."""
    for sent in reversed(h.transport.sent):
        if sent.address.chat_id != handle:
            continue
        for button in sent.message.buttons:
            if button.label.startswith(label):
                return button.action
    raise AssertionError(f"no button {label!r} for {handle}")


async def scores(h: Harness, handle: str) -> Scores | None:
    async with unit(h.app.db) as store:
        return await store.quiz_scores(await h.person_id(handle), REF)


async def answers(h: Harness, handle: str) -> list[tuple[int, str, str, bool]]:
    async with unit(h.app.db) as store:
        takes = await store.quiz_attempts([await h.person_id(handle)], REF)
        found = await store.quiz_answers(a.id for a in takes)
    number = {a.id: a.number for a in takes}
    return [
        (number[a.attempt_id], a.question_id, ",".join(map(str, sorted(a.chosen))), a.right)
        for a in found
    ]


async def test_take_abandon_resume_and_retake(quiz: Harness) -> None:
    h = quiz
    assert ("Ta quizen", "quiz") in buttons(h, KARI)  # on the stage message
    await h.say(KARI, action="quiz")
    assert "Spørsmål 1 av 3" in h.last(KARI) and "Hva er en digilog?" in h.last(KARI)
    asked = len(h.transport.sent)
    await h.say(KARI, action=press(h, KARI, "2."))
    # the pressed question now reads as its feedback (an edit), the next question below
    assert h.transport.edits and len(h.transport.sent) == asked + 1
    feedback = h.texts(KARI)[-2]
    assert "Ditt svar: En samtale om refleksjoner. Det er riktig." in feedback
    assert "En digilog er en digital dialog om refleksjoner." in feedback
    assert "Spørsmål 2 av 3" in h.last(KARI)
    # abandoned: a number is no answer any more
    await h.say(KARI, "hopp over")
    await h.say(KARI, "3")
    assert "3" in h.last(KARI) and "Spørsmål" not in h.last(KARI)
    # resumed where it was left, the multiple-choice question
    await h.say(KARI, "quiz")
    assert "Du er tilbake i «Quiz: kom i gang», der du slapp." in h.last(KARI)
    assert "Spørsmål 2 av 3" in h.last(KARI)
    await h.say(KARI, action=press(h, KARI, "1."))
    assert "1. Nye arbeidsmåter (valgt)" in h.last(KARI)  # the question shows the choice
    await h.say(KARI, action=press(h, KARI, "3."))
    await h.say(KARI, action=press(h, KARI, "Sjekk svaret mitt"))
    assert "Nye arbeidsmåter, Brukerens behov først. Det er riktig." in h.texts(KARI)[-2]
    # the question too long for a poll is asked with buttons here too; typed "2" answers
    assert "Spørsmål 3 av 3" in h.last(KARI)
    await h.say(KARI, "2")
    assert "Det er ikke riktig. Riktig svar: Små steg." in h.texts(KARI)[-2]
    summary = h.last(KARI)
    assert "Du fikk 2 av 3 spørsmål riktig." in summary
    assert "- 3. Hva passer best?" in summary and "- 1." not in summary
    assert "https://example.org/film" in summary
    assert await scores(h, KARI) == Scores(best=2, latest=2, total=3, takes=1)
    async with unit(h.app.db) as store:
        done = await store.completed([await h.person_id(KARI)])
    assert REF in done[await h.person_id(KARI)]
    # "quiz" now says how it went; "quiz igjen" is a retake, and the best score stays
    await h.say(KARI, "quiz")
    assert "Siste resultat: 2 av 3. Beste resultat: 2 av 3." in h.last(KARI)
    await h.say(KARI, "quiz igjen")
    assert "Nytt forsøk: «Quiz: kom i gang»." in h.last(KARI)
    await h.say(KARI, "1")
    await h.say(KARI, "1")
    await h.say(KARI, "1")
    assert "Du fikk 1 av 3 spørsmål riktig." in h.last(KARI)
    assert "Ditt beste så langt: 2 av 3." in h.last(KARI)
    assert await scores(h, KARI) == Scores(best=2, latest=1, total=3, takes=2)
    assert await answers(h, KARI) == [
        (1, "q1", "1", True),
        (1, "q2", "0,2", True),
        (1, "q3", "1", False),
        (2, "q1", "0", False),
        (2, "q2", "0", False),
        (2, "q3", "0", True),
    ]


async def test_double_press_stale_button_someone_elses_and_a_finished_take(
    quiz: Harness,
) -> None:
    h = quiz
    await h.say(KARI, "quiz")
    first = press(h, KARI, "2.")
    await h.say(KARI, action=first)
    await h.say(KARI, action=first)  # a double press
    assert "Du har allerede svart på dette spørsmålet" in h.last(KARI)
    pick = press(h, KARI, "1.")
    await h.say(OLA, action=pick)  # Kari's button pressed by Ola
    assert "Dette svaret hører ikke til en quiz du tar" in h.last(OLA)
    await h.say(KARI, action=press(h, KARI, "Sjekk svaret mitt"))
    assert "Velg minst ett svaralternativ først" in h.last(KARI)
    await h.say(KARI, "4")
    assert "Skriv nummeret på et svaralternativ, fra 1 til 3." in h.last(KARI)
    await h.say(KARI, "1")  # only one of the two right ones
    assert (
        "Det er ikke riktig. Riktige svar: Nye arbeidsmåter, Brukerens behov først."
        in (h.texts(KARI)[-2])
    )
    await h.say(KARI, action=first)  # a stale button: the first question again
    assert "Du har allerede svart på dette spørsmålet" in h.last(KARI)
    await h.say(KARI, "1")
    assert "Du fikk 2 av 3 spørsmål riktig." in h.last(KARI)
    await h.say(KARI, action=first)  # the take is finished
    assert "Du er allerede ferdig med dette forsøket" in h.last(KARI)
    assert [q for _, q, _, _ in await answers(h, KARI)] == ["q1", "q2", "q3"]
    assert await scores(h, KARI) == Scores(best=2, latest=2, total=3, takes=1)
    assert await scores(h, OLA) is None


async def test_swedish_and_nynorsk_leaders_read_the_quiz_in_their_language(
    quiz: Harness,
) -> None:
    h = quiz
    await h.say(ANNA, "quiz")
    assert "Fråga 1 av 3" in h.last(ANNA) and "Vad är en digilog?" in h.last(ANNA)
    await h.say(ANNA, "2")
    assert "Ditt svar: En samtale om refleksjoner. Det är rätt." in h.texts(ANNA)[-2]
    await h.say(ANNA, "2")
    assert "Det är inte rätt. Rätta svar:" in h.texts(ANNA)[-2]
    await h.say(ANNA, "1")
    summary = h.last(ANNA)
    assert "Du är klar med ”Quiz: kom igång”." in summary
    assert "Du fick 2 av 3 frågor rätt." in summary
    assert "Ditt resultat visas bara för dig." in summary
    await h.say(SIRI, "quiz")
    assert "Spørsmål 1 av 3" in h.last(SIRI)
    await h.say(SIRI, "3")
    assert "Svaret ditt: Et verktøy. Det er ikkje rett. Rett svar:" in h.texts(SIRI)[-2]


async def test_the_league_names_organisations_never_people(quiz: Harness) -> None:
    h = quiz
    for handle, typed in ((KARI, ["2", "1 3", "1"]), (ANNA, ["1", "2", "2"])):
        await h.say(handle, "quiz")
        for text in typed:
            await h.say(handle, text)
    assert "1. en leder i Tromsø kommune" in h.last(KARI)
    await h.say(SIRI, "quiz liga")
    league = h.last(SIRI)
    assert "1. ein leiar i Tromsø kommune" in league and "2. ein leiar i Kiruna kommun" in league
    for name in ("Kari", "Nordvik", "Anna", "Lindqvist"):
        assert name not in league


async def test_without_a_league_the_command_says_so(database_url: str) -> None:
    h = Harness(database_url, catalog=quiz_catalog(league=False))
    await h.start()
    try:
        await h.advance(timedelta(days=1))
        await h.say(KARI, "quiz league")
        assert "Dette programmet har ingen quizliga." in h.last(KARI)
        await h.say(KARI, "quiz")
        for text in ("2", "1 3", "1"):
            await h.say(KARI, text)
        assert "De beste resultatene" not in h.last(KARI)
    finally:
        await h.stop()


async def test_two_presses_at_once_count_once(quiz: Harness) -> None:
    h = quiz
    await h.say(KARI, "quiz")
    first = press(h, KARI, "2.")
    await asyncio.gather(
        h.say(KARI, action=first, event_id="press-a"), h.say(KARI, action=first, event_id="press-b")
    )
    assert [q for _, q, _, _ in await answers(h, KARI)] == ["q1"]
    replies = h.texts(KARI)
    assert sum("Spørsmål 2 av 3" in t for t in replies) == 1
    assert sum("Du har allerede svart på dette spørsmålet" in t for t in replies) == 1
