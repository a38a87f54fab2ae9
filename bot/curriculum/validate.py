"""Checks on a programme the models alone cannot make: translations, ids, limits, quizzes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from bot.curriculum.limits import TEXT
from bot.curriculum.organiser_checks import check_team_scope
from bot.curriculum.problems import Problem
from bot.curriculum.quiz_checks import check_question
from bot.domain.programme import LABS_MODULE, ActivityKind, Programme
from bot.domain.text import LOCALES


def _local_texts(node: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every localised text in a model tree, with its dotted path."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _local_texts(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        yield path, node
    elif isinstance(node, list):
        for index, item in enumerate(node):
            key = getattr(item, "id", None) or str(index)
            yield from _local_texts(item, f"{path}.{key}")


def _field_of(path: str) -> str:
    """The field a text belongs to: the last path part that is not a list entry's id."""
    parts = path.split(".")
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in _TEXT_FIELDS:
            return parts[index]
    return parts[-1]


_TEXT_FIELDS = frozenset(
    {"title", "summary", "body", "text", "options", "explanation", "scale", "task", "reflection"}
    | {"labs_title", "labs_summary"}
)


def _duplicates(ids: list[str]) -> list[str]:
    return [item for item, count in Counter(ids).items() if count > 1]


def check_programme(programme: Programme, file: str) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: str, message: str, fix: str = "") -> None:
        problems.append(Problem(file, path, message, fix))

    for locale in programme.locales:
        if locale not in LOCALES:
            bad("locales", f"unknown locale {locale!r}", f"use {', '.join(LOCALES)}")
    if programme.default_locale not in programme.locales:
        bad(
            "default_locale", f"{programme.default_locale!r} is not in locales", "add it to locales"
        )
    for path, text in _local_texts(programme, ""):
        for locale in programme.locales:
            if not text.get(locale, "").strip():
                bad(
                    path,
                    f"missing translation: no {locale} text",
                    f"add '{locale}: ...' under {path.rsplit('.', 1)[-1]}",
                )
        for locale, value in text.items():
            if locale not in LOCALES:
                bad(f"{path}.{locale}", f"unknown locale {locale!r}", f"use {', '.join(LOCALES)}")
            field = _field_of(path)
            limit = TEXT.get(field, TEXT["default"])
            if len(value) > limit:
                bad(
                    f"{path}.{locale}",
                    f"is {len(value)} characters; the limit is {limit}",
                    "shorten it",
                )
    for dup in _duplicates([m.id for m in programme.modules]):
        bad("modules", f"module id {dup!r} is used twice", "give each module its own id")
    if programme.labs and programme.labs_title is None:
        bad("labs_title", "is missing", "name the lab track, e.g. 'sv: Lärlabb'")
    if any(m.id == LABS_MODULE for m in programme.modules):
        bad(
            "modules",
            f"module id {LABS_MODULE!r} is reserved for the lab track",
            "choose another id",
        )
    for dup in _duplicates([lab.id for lab in programme.labs]):
        bad("labs", f"lab id {dup!r} is used twice", "give each lab its own id")
    for module in programme.modules:
        for dup in _duplicates([s.id for s in module.stages]):
            bad(
                f"modules.{module.id}.stages",
                f"stage id {dup!r} is used twice",
                "give each stage its own id",
            )
        for stage in module.stages:
            where = f"modules.{module.id}.stages.{stage.id}"
            for dup in _duplicates([a.id for a in stage.activities]):
                bad(
                    f"{where}.activities",
                    f"activity id {dup!r} is used twice",
                    "give each activity its own id",
                )
            for activity in stage.activities:
                _check_activity(
                    activity, f"{where}.activities.{activity.id}", list(programme.locales), bad
                )
                check_team_scope(activity, f"{where}.activities.{activity.id}", bad)
    return problems


def _check_activity(activity: Any, path: str, locales: list[str], bad: Any) -> None:
    if (
        activity.kind in (ActivityKind.REFLECTION, ActivityKind.GROUP_TASK, ActivityKind.AMBITION)
        and activity.body is None
    ):
        bad(f"{path}.body", "is missing", "write what the person is asked to do")
    if activity.kind == ActivityKind.QUIZ and not activity.questions:
        bad(f"{path}.questions", "a quiz needs questions", "add at least one question")
    if activity.kind != ActivityKind.QUIZ and activity.questions:
        bad(f"{path}.questions", "only a quiz has questions", "set kind: quiz or remove them")
    if activity.kind == ActivityKind.SURVEY and not 2 <= len(activity.scale) <= 10:
        bad(f"{path}.scale", "a survey needs 2 to 10 scale labels", "list one label per step")
    for question in activity.questions:
        check_question(question, f"{path}.questions.{question.id}", locales, bad)
