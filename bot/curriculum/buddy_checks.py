"""Checks on a schedule's ``buddies:`` block the model alone cannot make."""

from __future__ import annotations

from itertools import pairwise

from bot.curriculum.problems import Problem, Severity
from bot.domain.buddy_policy import RoundKind
from bot.domain.buddy_rounds import buddy_rounds
from bot.domain.cohort import Cohort


def check_buddies(cohort: Cohort, file: str) -> list[Problem]:
    policy = cohort.buddies
    if policy is None:
        return []
    problems: list[Problem] = []
    bands = policy.size_bands
    if any(b <= a for a, b in pairwise(bands)) or any(b < 1 for b in bands):
        problems.append(
            Problem(
                file,
                "buddies.size_bands",
                f"size bands must be positive and ascending, not {bands}",
                "list where each size class begins, smallest first, e.g. [10000, 50000]",
            )
        )
    if len(cohort.organisations) < 2:
        problems.append(
            Problem(
                file,
                "buddies",
                "buddies come from another organisation, but the cohort has fewer than two",
                "add the other organisations, or remove the buddies block",
            )
        )
    if not any(vars(policy.weights).values()):
        problems.append(
            Problem(
                file,
                "buddies.weights",
                "every preference weighs 0: buddies are paired at random across organisations",
                "give same_group, language, role_mix or size_mix a weight above 0",
                Severity.WARNING,
            )
        )
    if policy.rounds == RoundKind.MODULE:
        rounds = buddy_rounds(cohort)
        for earlier, later in pairwise(rounds):
            if later.opens <= earlier.opens:
                problems.append(
                    Problem(
                        file,
                        "buddies.rounds",
                        f"module {later.module!r} opens on or before {earlier.module!r}, so "
                        "its buddy round would replace the earlier one at once",
                        "give the modules their own opening days, or use rounds: programme",
                        Severity.WARNING,
                    )
                )
    return problems
