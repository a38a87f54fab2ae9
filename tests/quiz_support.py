"""A small cohort whose one stage is a quiz: a short single-choice question, a multiple-
choice one and one too long for a Telegram poll, with a resource that explains them."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.catalog import Catalog
from bot.domain.cohort import ModuleSchedule, StageDates
from bot.domain.programme import Activity, ActivityKind, QuizQuestion, Stage, StageKind
from tests.helpers import shipped_catalog

REF = "kom-i-gang/quiz/quiz"
OPENS, DUE = date(2027, 1, 11), date(2027, 1, 22)
KARI, OLA, SIRI, ANNA = "kari.nordvik", "ola.bakken", "siri.haugen", "anna.lindqvist"
LONG = "Hva passer best? " + "Les nøye. " * 40  # over Telegram's 300-character question


def _t(nb: str, sv: str | None = None, nn: str | None = None) -> dict[str, str]:
    return {"nb": nb, "nn": nn or nb, "sv": sv or nb, "en": nb}


QUESTIONS = [
    QuizQuestion(
        id="q1",
        text=_t("Hva er en digilog?", "Vad är en digilog?"),
        options=[_t("En logg over data"), _t("En samtale om refleksjoner"), _t("Et verktøy")],
        correct=1,
        explanation=_t("En digilog er en digital dialog om refleksjoner."),
    ),
    QuizQuestion(
        id="q2",
        text=_t("Hvilke to kjennetegner digital transformasjon?"),
        options=[_t("Nye arbeidsmåter"), _t("Bare ny teknologi"), _t("Brukerens behov først")],
        correct=[0, 2],
        explanation=_t("Det handler om arbeidsmåter og om brukerne, ikke bare teknologi."),
    ),
    QuizQuestion(
        id="q3",
        text=_t(LONG, LONG),
        options=[_t("Små steg"), _t("Alt på en gang")],
        correct=0,
        explanation=_t("Små steg gir læring underveis."),
    ),
]


def quiz_catalog(league: bool = True) -> Catalog:
    """The demo cohort with one module whose only stage is the quiz (and its reading)."""
    shipped = shipped_catalog()
    cohort = shipped.cohort("demo")
    programme = shipped.programme_of("demo")
    module = programme.modules[0]
    film = next(a for a in module.stages[0].activities if a.kind == ActivityKind.RESOURCE)
    stage = Stage(
        id="quiz",
        kind=StageKind.QUIZ,
        title=_t("Quiz", "Quiz"),
        summary=_t("Modulen avsluttes med en kort quiz.", "Modulen avslutas med en kort quiz."),
        activities=[
            film.model_copy(update={"url": "https://example.org/film"}),
            Activity(
                id="quiz",
                kind=ActivityKind.QUIZ,
                title=_t("Quiz: kom i gang", "Quiz: kom igång"),
                body=_t("Tre korte spørsmål.", "Tre korta frågor."),
                questions=QUESTIONS,
            ),
        ],
    )
    changed: dict[str, Any] = {
        "modules": [module.model_copy(update={"stages": [stage]})],
    }
    schedule = ModuleSchedule(module=module.id, stages={"quiz": StageDates(opens=OPENS, due=DUE)})
    quiz_cohort = cohort.model_copy(
        update={"modules": [schedule], "events": [], "quiz_league": league}
    )
    return Catalog(
        programmes={programme.id: programme.model_copy(update=changed)},
        cohorts={cohort.id: quiz_cohort},
    )


_LT = {"nb": "Quiz: ledelse", "nn": "Quiz: leiing", "sv": "Quiz: ledarskap", "en": "Quiz"}
_OPTION = {"nb": "Små steg", "nn": "Små steg", "sv": "Små steg", "en": "Small steps"}
#: parameters that render every quiz template, the richest variant of each (tests/test_i18n)
TEMPLATE_PARAMS: dict[str, dict[str, Any]] = {
    "quiz_question": {
        "title": _LT,
        "body": _LT,
        "first": True,
        "resumed": False,
        "retake": True,
        "number": 2,
        "total": 7,
        "multiple": True,
        "question": _LT,
        "options": [{"number": 1, "text": _OPTION}, {"number": 2, "text": _OPTION}],
        "picked": [2],
    },
    "quiz_feedback": {
        "number": 2,
        "total": 7,
        "question": _LT,
        "chosen": [_OPTION],
        "right": False,
        "correct": [_OPTION, _OPTION],
        "explanation": _LT,
    },
    "quiz_summary": {
        "title": _LT,
        "score": 5,
        "total": 7,
        "best": 6,
        "wrong": [{"number": 3, "question": _LT}],
        "resource": {"title": _LT, "url": "https://example.org/film"},
        "league": ["Tromsø kommune", "Kiruna kommun"],
    },
    "quiz_taken": {"title": _LT, "best": 6, "latest": 5, "total": 7},
    "quiz_closed": {"title": _LT},
    "quiz_bad_number": {"count": 3},
    "quiz_league": {"title": _LT, "league": ["Tromsø kommune"]},
    "done_is_quiz": {"title": _LT},
}
