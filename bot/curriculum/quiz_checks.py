"""Checks on quiz questions the model alone cannot make: option counts, the right answers
(one index, or a list for multiple choice), options told apart in every language, and
Telegram's limit on line breaks in an explanation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bot.curriculum.limits import QUIZ
from bot.domain.programme import QuizQuestion

Bad = Callable[..., None]


def check_question(question: QuizQuestion, qpath: str, locales: list[str], bad: Bad) -> None:
    count = len(question.options)
    if not QUIZ["min_options"] <= count <= QUIZ["max_options"]:
        bad(
            f"{qpath}.options",
            f"has {count} options",
            f"give {QUIZ['min_options']} to {QUIZ['max_options']}",
        )
    _check_right(question, qpath, count, bad)
    _check_options_apart(question, qpath, locales, bad)
    for locale, text in question.explanation.items():
        breaks = text.count("\n")
        if breaks > QUIZ["explanation_line_feeds"]:
            bad(
                f"{qpath}.explanation.{locale}",
                f"has {breaks} line breaks; Telegram allows {QUIZ['explanation_line_feeds']}",
                "join the lines",
            )


def _check_right(question: QuizQuestion, qpath: str, count: int, bad: Bad) -> None:
    listed = question.correct if isinstance(question.correct, list) else [question.correct]
    if not listed:
        bad(f"{qpath}.correct", "lists no right option", "list at least one option index")
        return
    for index, times in Counter(listed).items():
        if times > 1:
            bad(f"{qpath}.correct", f"lists option {index} twice", "list each right option once")
    for right in sorted(set(listed)):
        if not 0 <= right < count:
            bad(
                f"{qpath}.correct",
                f"{right} is not an option index",
                f"use 0 to {count - 1} (0 is the first option)",
            )
    if count >= 2 and len(set(listed)) >= count:
        bad(
            f"{qpath}.correct",
            "every option is right, so the question has no wrong answer",
            "leave at least one option out of correct",
        )


def _check_options_apart(question: QuizQuestion, qpath: str, locales: list[str], bad: Bad) -> None:
    """In every language the options must differ, or the right one cannot be told apart."""
    for locale in locales:
        texts = [option.get(locale, "").strip().casefold() for option in question.options]
        seen: dict[str, int] = {}
        for index, text in enumerate(texts):
            if not text:
                continue  # a missing translation is reported by the translation check
            if text in seen:
                bad(
                    f"{qpath}.options.{index}.{locale}",
                    f"is the same as option {seen[text]} in {locale}",
                    "word each option differently",
                )
            else:
                seen[text] = index
