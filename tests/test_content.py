"""The seed programmes as data: complete, within platform limits, renderable in every locale,
and runnable end to end — the Norwegian module and the Swedish theme with its labs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.curriculum.limits import QUIZ, TELEGRAM_TEXT
from bot.domain.messages import Outgoing
from bot.domain.programme import ActivityKind, Programme
from bot.domain.progress import stage_statuses
from bot.features.progress import stage_params
from bot.rendering.renderer import Renderer
from tests.helpers import Harness, shipped_catalog

SEED = ["kompetanseloft", "digital-kompetens"]
ENGLISH = re.compile(r"\b(the|you|your|and|with|what|deadline|write|is)\b", re.I)


def programme(pid: str) -> Programme:
    return shipped_catalog().programmes[pid]


@pytest.mark.parametrize("pid", SEED)
def test_seed_programme_is_complete(pid: str) -> None:
    prog = programme(pid)
    assert len(prog.modules) == 4
    assert {"nb", "sv"} <= set(prog.locales)
    questions = [
        q for m in prog.modules for s in m.stages for a in s.activities for q in a.questions
    ]
    reflections = [
        a
        for m in prog.modules
        for s in m.stages
        for a in s.activities
        if a.kind == ActivityKind.REFLECTION
    ]
    assert len(questions) >= 24 and len(reflections) >= 8
    for module in prog.modules:
        quizzes = [a for s in module.stages for a in s.activities if a.kind == ActivityKind.QUIZ]
        assert len(quizzes) == 1 and 6 <= len(quizzes[0].questions) <= 8, module.id


@pytest.mark.parametrize("pid", SEED)
def test_quizzes_fit_telegram_quiz_polls(pid: str) -> None:
    prog = programme(pid)
    for module in prog.modules:
        for stage in module.stages:
            for activity in stage.activities:
                for q in activity.questions:
                    assert QUIZ["min_options"] <= len(q.options) <= QUIZ["max_options"]
                    assert all(0 <= right < len(q.options) for right in q.right)
                    for locale in prog.locales:
                        assert len(q.text[locale]) <= 300
                        assert all(len(o[locale]) <= 100 for o in q.options)
                        assert len(q.explanation[locale]) <= 200
                        assert q.explanation[locale].count("\n") <= 2


def test_the_swedish_programme_has_a_lab_catalogue_of_both_kinds() -> None:
    labs = programme("digital-kompetens").labs
    assert 8 <= len(labs) <= 10
    assert {lab.kind.value for lab in labs} == {"leading_digitally", "methods"}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("pid", SEED)
def test_every_activity_renders_in_every_locale(pid: str, renderer: Renderer) -> None:
    prog = programme(pid)
    cohort = next(c for c in shipped_catalog().cohorts.values() if c.programme == pid)
    statuses = stage_statuses(prog, cohort, set(), tuple(lab.id for lab in prog.labs))
    assert len(statuses) == sum(len(m.stages) for m in prog.modules) + (1 if prog.labs else 0)
    for locale in prog.locales:
        rendered: list[str] = []
        for status in statuses:
            params = {
                **stage_params(status),
                "kind": "before_due",
                "days_left": 3,
                "first_reflection": True,
                "gathering": None,
            }
            parts = [{"template": t, **params} for t in ("stage_open", "stage_due", "stage_info")]
            daily = {"late": False, "parts": parts}
            rendered.append(renderer.render(Outgoing(1, "daily", daily), locale).text)
            for item in status.activities:
                act = item.activity
                if act.kind == ActivityKind.REFLECTION:
                    rendered.append(
                        renderer.render(
                            Outgoing(
                                1,
                                "reflection_prompt",
                                {
                                    "module": status.module.title,
                                    "stage": status.stage.title,
                                    "title": act.title,
                                    "prompt": act.body,
                                },
                            ),
                            locale,
                        ).text
                    )
                elif act.tracked:
                    rendered.append(
                        renderer.render(
                            Outgoing(
                                1,
                                "done_ok",
                                {
                                    "title": act.title,
                                    "stage": status.stage.title,
                                    "module": status.module.title,
                                },
                            ),
                            locale,
                        ).text
                    )
        for text in rendered:
            assert text.strip() and "%(" not in text
            assert len(text) <= TELEGRAM_TEXT
            if locale != "en":
                assert not ENGLISH.findall(text), text


@pytest.fixture
async def sweden(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(f"sqlite:///{tmp_path / 'vb.db'}", cohort="vb-2027")
    await h.start()
    yield h
    await h.stop()


@pytest.fixture
async def norway(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(f"sqlite:///{tmp_path / 'tf.db'}", cohort="tf-2027")
    await h.start()
    yield h
    await h.stop()


async def test_choosing_labs_puts_their_tasks_in_status_and_reminders(sweden: Harness) -> None:
    me = "erik.nystrom"
    await sweden.say(me, "lärlabb")
    listing = sweden.last(me)
    assert "Lärlabb: du väljer upp till 2 labb." in listing
    assert "Att leda digitalt" in listing
    pages = [listing]
    while more := [b for b in sweden.transport.sent[-1].message.buttons if "more" in b.action]:
        await sweden.say(me, action=more[0].action)  # the list comes a few labs at a time
        pages.append(sweden.last(me))
    assert any("Metoder för att leda digital utveckling" in page for page in pages)
    labs = programme("digital-kompetens").labs
    await sweden.say(me, action=f"lab_pick:{labs[0].id}")
    await sweden.say(me, "labb 6")  # by its number in the list
    assert "Dina labb:" in sweden.last(me) and labs[5].title["sv"] in sweden.last(me)
    await sweden.say(me, action=f"lab_pick:{labs[2].id}")
    assert "Du kan välja 2 labb, och du har redan valt dem:" in sweden.last(me)
    await sweden.say(me, action=f"lab_drop:{labs[0].id}")
    await sweden.say(me, action=f"lab_pick:{labs[2].id}")
    assert labs[2].title["sv"] in sweden.last(me) and labs[0].title["sv"] not in sweden.last(me)

    # the lab window opens on 1 February: Erik's tasks are chased, others are invited to choose
    await sweden.advance(timedelta(days=16))
    assert "Lärlabb öppnar nu. Välj upp till 2 labb." in sweden.last("maria.holmgren")
    opening = [t for t in sweden.texts(me) if labs[2].title["sv"] in t and "Nu kan du börja." in t]
    assert opening, sweden.texts(me)[-3:]
    await sweden.say(me, "status")
    status = sweden.last(me)
    assert f"- {labs[2].title['sv']} (uppgift): inte gjort än" in status
    assert f"- {labs[2].title['sv']} (reflektion): inte gjort än" in status
    assert labs[0].title["sv"] not in status
    await sweden.say(me, action=f"done:labs/chosen/{labs[2].id}")
    assert "är markerad som klar" in sweden.last(me)
    await sweden.say(me, f"svar labs/chosen/{labs[2].id}.reflection")
    assert labs[2].reflection["sv"][:40] in sweden.last(me)


async def test_labs_where_the_programme_has_none(norway: Harness) -> None:
    await norway.say("per.olsen", "lab")
    assert "Programmet ditt har ingen laber å velge mellom." in norway.last("per.olsen")
    await norway.say("per.olsen", "hjelp")
    assert "lab:" not in norway.last("per.olsen")


async def test_a_norwegian_leader_through_a_whole_module(norway: Harness) -> None:
    me = "per.olsen"
    await norway.advance(timedelta(days=1))  # forarbeid opens, Monday 11 January 2027
    assert norway.last(me).startswith("Forarbeid – Organisasjon\n\nNå kan du begynne. Frist:")
    answered = 0
    while True:
        await norway.say(me, "svar")
        if "Du har svart på alle" in norway.last(me):
            break
        assert "Refleksjonsspørsmål" in norway.last(me)
        await norway.say(me, f"Mitt svar nummer {answered + 1}.")
        answered += 1
    await norway.say(me, "kartlegging")
    assert "1: " in norway.last(me) and "5: " in norway.last(me)
    await norway.say(me, "kartlegging 9")
    assert "Velg et tall fra 1 til 5" in norway.last(me)
    await norway.say(me, action=norway.transport.sent[-2].message.buttons[2].action)
    assert "valgte du 3 av 5" in norway.last(me)
    await norway.say(me, "kartlegging")  # answered: shown with the answer, to change it
    assert "Svaret ditt nå: 3" in norway.last(me)
    await norway.say(me, "ferdig")
    while "Trykk på knappen" in norway.last(me):
        action = norway.transport.sent[-1].message.buttons[0].action
        await norway.say(me, action=action)
        await norway.say(me, "ferdig")
    await norway.advance(timedelta(weeks=9))  # through samling and etterarbeid
    texts = norway.texts(me)
    assert any("Neste samling" in t for t in texts)
    assert any("Samling – Organisasjon" in t for t in texts)
    assert any("Etterarbeid – Organisasjon" in t for t in texts)
    assert answered >= 2
    # forarbeid was all done: no deadline reminder for it reached Per
    assert not any("Forarbeid – Organisasjon" in t and "Fristen er" in t for t in texts)
    # a gathering is announced as what it is: no deadline, nothing "not done"
    gathering = next(t for t in texts if "Samling – Organisasjon" in t)
    assert "Frist" not in gathering.split("Samling – Organisasjon", 1)[1].split(" – ")[0]


async def test_a_swedish_leader_through_a_whole_theme(sweden: Harness) -> None:
    me = "maria.holmgren"
    await sweden.advance(timedelta(weeks=9))
    texts = sweden.texts(me)
    for stage in ("Självstudier", "Reflektion med lärkompis", "Workshop", "Digilog", "Quiz"):
        assert any(f"{stage} – " in t for t in texts), stage
    assert any("Nästa träff" in t for t in texts)
    assert all("Forarbeid" not in t for t in texts)  # no Norwegian in a Swedish leader's chat
