"""Taking a quiz: an attempt moves through the questions one at a time; each answer is right
only when exactly the right options were chosen. Pure: no storage, no platform.

An attempt keeps its ``position`` (the next question to answer) and its ``score`` so far, so
a quiz left half done resumes where it was left; a new attempt is a retake, and the best and
the latest finished score are both kept (``Scores``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.programme import Activity, QuizQuestion


@dataclass(frozen=True)
class Attempt:
    """One take of one quiz (``ref``: its ``module/stage/activity``) by one person."""

    id: int
    person_id: int
    ref: str
    number: int  # 1 for the first take, 2 for the first retake ...
    position: int  # index of the next question to answer; == total once all are answered
    score: int  # right answers so far
    total: int
    started_at: datetime
    finished_at: datetime | None = None
    picked: frozenset[int] = frozenset()  # a multiple-choice question's options chosen so far
    asked_key: str | None = None  # outbox key of the message that asks the current question

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


@dataclass(frozen=True)
class Answer:
    """One answered question of an attempt (options from 0)."""

    attempt_id: int
    person_id: int
    question_id: str
    chosen: frozenset[int]
    right: bool


@dataclass(frozen=True)
class Scores:
    """A person's finished takes of one quiz: best and latest score, out of ``total``."""

    best: int
    latest: int
    total: int
    takes: int


def is_right(question: QuizQuestion, chosen: Iterable[int]) -> bool:
    """Right when exactly the right options were chosen (all of them, and no other)."""
    return frozenset(chosen) == question.right


def parse_options(text: str, count: int) -> frozenset[int] | None:
    """Typed option numbers (``2``, ``1 3``, ``1, 3 og 4``) as 0-based indexes, or None when
    there is no number or one is not an option (1..count)."""
    numbers = [int(n) for n in re.findall(r"-?\d+", text)]
    if not numbers or any(not 1 <= n <= count for n in numbers):
        return None
    return frozenset(n - 1 for n in numbers)


def encode(options: Iterable[int]) -> str:
    """Options as stored: ``0,2`` (sorted)."""
    return ",".join(str(n) for n in sorted(set(options)))


def decode(stored: str) -> frozenset[int]:
    return frozenset(int(n) for n in stored.split(",") if n.strip().isdigit())


def wrong_questions(activity: Activity, answers: Iterable[Answer]) -> list[int]:
    """The 0-based positions of the questions answered wrong, in quiz order."""
    wrong = {a.question_id for a in answers if not a.right}
    return [n for n, q in enumerate(activity.questions) if q.id in wrong]


@dataclass(frozen=True)
class QuestionStat:
    """A question across a cohort's first takes."""

    question: QuizQuestion
    answered: int
    right_first: int
    common_wrong: frozenset[int] | None  # the wrong choice made most often, if any

    @property
    def share_right(self) -> float | None:
        return self.right_first / self.answered if self.answered else None


def question_stats(activity: Activity, first_answers: Sequence[Answer]) -> list[QuestionStat]:
    """Per question: how many answered it in their first take, how many of them right, and
    the most common wrong choice (ties: the lowest option numbers)."""
    stats: list[QuestionStat] = []
    for question in activity.questions:
        mine = [a for a in first_answers if a.question_id == question.id]
        wrong = Counter(encode(a.chosen) for a in mine if not a.right)
        common = min(wrong, key=lambda k: (-wrong[k], k)) if wrong else None
        stats.append(
            QuestionStat(
                question,
                len(mine),
                sum(a.right for a in mine),
                decode(common) if common is not None else None,
            )
        )
    return stats


def league(best: dict[int, Scores], organisation_of: dict[int, str | None]) -> list[str]:
    """The anonymous league: the organisations of the three best scores (best first; equal
    scores by fewer takes), never a name. People without an organisation are left out."""
    ranked = sorted(
        (p for p in best if organisation_of.get(p)),
        key=lambda p: (-best[p].best / max(best[p].total, 1), best[p].takes, p),
    )
    return [str(organisation_of[p]) for p in ranked[:3]]
