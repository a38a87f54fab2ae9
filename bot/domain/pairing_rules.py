"""What pairing works with: the people (candidates), the preferences' weights, who met whom
before, and the hard rules every group must keep (also when an organiser swaps by hand).

Hard rules: never two people of one organisation in a group; never two people together who
were in a group of the cohort before; nobody in two groups of a round; a group is two people,
or three (one trio when the count is odd), never one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.domain.buddy_policy import BuddyWeights

#: nb, nn and sv (and da) readers understand each other; English needs English.
LANGUAGE_FAMILY = {"nb": "nordic", "nn": "nordic", "sv": "nordic", "da": "nordic"}

SAME_ORGANISATION = "same_organisation"
REPEAT = "repeat"


def language_family(locale: str) -> str:
    return LANGUAGE_FAMILY.get(locale, locale)


@dataclass(frozen=True)
class Candidate:
    """A person who can get a buddy, with what the preferences look at."""

    id: int
    organisation: str
    group: str | None = None  # the gathering group of their organisation
    locale: str = "nb"  # the language they write
    roles: frozenset[str] = frozenset()
    size: str | None = None  # the size class of their organisation; None: unknown

    @property
    def profile(self) -> tuple[Any, ...]:
        """Everything the preferences compare: people of one profile score alike."""
        return (self.group, language_family(self.locale), self.roles, self.size)


@dataclass(frozen=True)
class Weights:
    same_group: float = 3.0
    language: float = 4.0
    role_mix: float = 1.0
    size_mix: float = 1.0

    @classmethod
    def of(cls, policy_weights: BuddyWeights) -> Weights:
        """From the schedule's ``buddies.weights``."""
        return cls(
            policy_weights.same_group,
            policy_weights.language,
            policy_weights.role_mix,
            policy_weights.size_mix,
        )


PREFERENCES = ("same_group", "language", "role_mix", "size_mix")


def hits(a: Candidate, b: Candidate) -> dict[str, bool]:
    """Which preferences a pair meets."""
    return {
        "same_group": a.group is not None and a.group == b.group,
        "language": language_family(a.locale) == language_family(b.locale),
        "role_mix": a.roles != b.roles,
        "size_mix": _different_size(a.size, b.size),
    }


def _different_size(a: str | None, b: str | None) -> bool:
    """Known and different; a county or region (a kind, not a band) differs from any
    municipality, also one of unknown size."""
    if a is None or b is None:
        known = a if b is None else b
        return known is not None and not known.startswith("band-")
    return a != b


def score(a: Candidate, b: Candidate, weights: Weights) -> float:
    met = hits(a, b)
    return float(sum(getattr(weights, name) for name in PREFERENCES if met[name]))


def group_hits(members: Sequence[Candidate]) -> dict[str, bool]:
    """Which preferences a whole group meets: every pair of it, for "same" preferences; any
    difference at all, for the "mix" ones."""
    pairs = [hits(a, b) for a, b in combinations(members, 2)]
    return {
        "same_group": all(p["same_group"] for p in pairs),
        "language": all(p["language"] for p in pairs),
        "role_mix": any(p["role_mix"] for p in pairs),
        "size_mix": any(p["size_mix"] for p in pairs),
    }


History = Mapping[int, frozenset[int]]


def met_before(groups: Iterable[Iterable[int]]) -> dict[int, frozenset[int]]:
    """Who was in a group with whom, from earlier groups of the cohort."""
    found: dict[int, set[int]] = {}
    for group in groups:
        members = list(group)
        for a, b in combinations(members, 2):
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return {person: frozenset(others) for person, others in found.items()}


def allowed(a: Candidate, b: Candidate, history: History) -> bool:
    return a.organisation != b.organisation and b.id not in history.get(a.id, frozenset())


def group_problem(members: Sequence[Candidate], history: History) -> str | None:
    """The hard rule a group would break (``SAME_ORGANISATION`` first), or None."""
    pairs = list(combinations(members, 2))
    if any(a.organisation == b.organisation for a, b in pairs):
        return SAME_ORGANISATION
    if any(b.id in history.get(a.id, frozenset()) for a, b in pairs):
        return REPEAT
    return None


def violations(
    groups: Sequence[Sequence[int]], people: Mapping[int, Candidate], history: History
) -> list[str]:
    """Every hard rule the groups of one round break, one line each (empty: none)."""
    found: list[str] = []
    seen: set[int] = set()
    trios = 0
    for group in groups:
        if len(group) not in (2, 3):
            found.append(f"group {tuple(group)} has {len(group)} member(s)")
        trios += len(group) == 3
        for member in group:
            if member in seen:
                found.append(f"person {member} is in two groups")
            seen.add(member)
        unknown = [m for m in group if m not in people]
        if unknown:
            found.append(f"group {tuple(group)} has people who are not candidates: {unknown}")
            continue
        problem = group_problem([people[m] for m in group], history)
        if problem:
            found.append(f"group {tuple(group)}: {problem.replace('_', ' ')}")
    if trios > 1:
        found.append(f"{trios} trios in one pairing (at most one)")
    return found


@dataclass(frozen=True)
class Stats:
    groups: int
    trios: int
    people: int
    cross_organisation: float  # share of groups with no two people of one organisation
    repeats: int  # groups with two people who were together before
    hit_rates: dict[str, float]  # preference -> share of groups that meet it
    score: float  # the sum of the pair scores (a trio counts its three pairs)


def statistics(
    groups: Sequence[Sequence[int]],
    people: Mapping[int, Candidate],
    history: History,
    weights: Weights,
) -> Stats:
    count = len(groups)
    members = [[people[m] for m in group] for group in groups]
    rates = {name: 0.0 for name in PREFERENCES}
    for group in members:
        for name, met in group_hits(group).items():
            rates[name] += met
    return Stats(
        groups=count,
        trios=sum(1 for g in groups if len(g) == 3),
        people=sum(len(g) for g in groups),
        cross_organisation=(
            sum(1 for g in members if len({c.organisation for c in g}) == len(g)) / count
            if count
            else 1.0
        ),
        repeats=sum(1 for g in members if group_problem(g, history) == REPEAT),
        hit_rates={name: (value / count if count else 0.0) for name, value in rates.items()},
        score=sum(score(a, b, weights) for g in members for a, b in combinations(g, 2)),
    )
