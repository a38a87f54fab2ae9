"""Pairing learning buddies: pure, and the same pairs for the same people, history and seed.

A greedy weighted matching with local improvement. People whose preferences compare alike
share a *profile* (gathering group, language family, roles, size class), so a pair's score is
a lookup in a small profile-by-profile table. The hardest to place choose first (people of an
organisation with a third of the cohort or more, then those whose best-scoring partners are
rare); each takes the best-scoring allowed partner still free. Then pairs swap partners
(``bot.domain.pairing_search``) while that raises the total score and keeps the rules: every
two pairs (and every three, up to 80 people) on small cohorts, targeted at the pairs that
miss a preference on big ones; small cohorts are paired from several starts and the best
kept, a handful of people are paired outright. Someone left over is placed by breaking one
pair into two through them; one last person joins the best pair as a trio. Whoever no
allowed partner exists for is reported unmatched.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.pairing_rules import Candidate, History, Weights, score
from bot.domain.pairing_search import EPS as _EPS
from bot.domain.pairing_search import Search

#: Small cohorts are paired this many times from different starts, and the best kept.
RESTARTS = 12
#: Up to this many pairs, every start is re-paired three at a time (above: the best only).
DEEP_EVERY_START_PAIRS = 16
#: Up to this many people, the best pairs are found outright.
EXACT_PEOPLE = 12
RESTART_PEOPLE = 250  # up to this many people, several starts
_SCAN = 16  # organisations (and people of one) looked at per profile before the next


@dataclass(frozen=True)
class Pairing:
    groups: tuple[tuple[int, ...], ...]  # person ids ascending; groups by first member
    unmatched: tuple[int, ...]  # no allowed partner could be found for them


def pair(
    candidates: Iterable[Candidate],
    history: History | None = None,
    weights: Weights | None = None,
    seed: int = 0,
    trio: bool = True,
) -> Pairing:
    """Pairs (and, with ``trio`` and an odd count, one trio) of ``candidates``."""
    people = sorted(candidates, key=lambda c: c.id)
    if len({c.id for c in people}) != len(people):
        raise ValueError("a candidate is listed twice")
    history, weights = history or {}, weights or Weights()
    rng = random.Random(seed)
    if not EXACT_PEOPLE < len(people) <= RESTART_PEOPLE:  # one start: exact, or big
        return _Matcher(people, history, weights, rng).run(trio, deep=True)
    best: tuple[int, float, int] | None = None
    for _attempt in range(RESTARTS):
        start = rng.getrandbits(64)
        matcher = _Matcher(people, history, weights, random.Random(start))
        found = matcher.run(trio, deep=len(people) <= 2 * DEEP_EVERY_START_PAIRS)
        value = (len(found.unmatched), -matcher.total(found))
        if best is None or value < best[:2]:
            best = (*value, start)
    assert best is not None
    # the best start again, now also re-pairing three pairs at a time where that helps
    return _Matcher(people, history, weights, random.Random(best[2])).run(trio, deep=True)


class _Matcher(Search):
    def __init__(
        self, people: list[Candidate], history: History, weights: Weights, rng: random.Random
    ) -> None:
        self.people = people
        self.history = history
        self.rng = rng
        n = len(people)
        self.n = n
        index = {c.id: i for i, c in enumerate(people)}
        profiles: dict[tuple[object, ...], int] = {}
        self.prof = [profiles.setdefault(c.profile, len(profiles)) for c in people]
        reps: dict[int, Candidate] = {}
        for c, p in zip(people, self.prof, strict=True):
            reps.setdefault(p, c)
        count = len(profiles)
        self.w = [[score(reps[p], reps[q], weights) for q in range(count)] for p in range(count)]
        orgs: dict[str, int] = {}
        self.org = [orgs.setdefault(c.organisation, len(orgs)) for c in people]
        self.org_count = [0] * len(orgs)
        for o in self.org:
            self.org_count[o] += 1
        self.forbidden: list[set[int]] = [
            {index[x] for x in history.get(c.id, ()) if x in index} for c in people
        ]
        self.partner = [-1] * n
        order = list(range(n))
        rng.shuffle(order)
        self.pools: list[list[int]] = [[] for _ in range(count)]
        for i in order:
            self.pools[self.prof[i]].append(i)
        # per profile, its free people by organisation, the biggest organisation first, so
        # a person never wades through their own colleagues and big organisations drain first
        self.by_org: list[list[list[int]]] = []
        for pool in self.pools:
            stacks: dict[int, list[int]] = {}
            for i in pool:
                stacks.setdefault(self.org[i], []).append(i)
            self.by_org.append(sorted(stacks.values(), key=len, reverse=True))
        tiebreak = [rng.random() for _ in range(count)]
        self.prefs = [
            sorted(range(count), key=lambda q, p=p: (-self.w[p][q], tiebreak[q]))  # type: ignore[misc]
            for p in range(count)
        ]
        best = [max(row) for row in self.w]
        self.supply = [
            sum(len(self.pools[q]) for q in range(count) if self.w[p][q] >= best[p] - _EPS)
            for p in range(count)
        ]
        self.order = sorted(
            order,
            key=lambda i: (self.org_count[self.org[i]] * 3 < n, self.supply[self.prof[i]]),
        )

    def total(self, found: Pairing) -> float:
        index = {c.id: i for i, c in enumerate(self.people)}
        return sum(
            self.gain_w(index[a], index[b])
            for group in found.groups
            for k, a in enumerate(group)
            for b in group[k + 1 :]
        )

    def ok(self, i: int, j: int) -> bool:
        return i != j and self.org[i] != self.org[j] and j not in self.forbidden[i]

    def run(self, trio: bool, deep: bool = False) -> Pairing:
        if self.n <= EXACT_PEOPLE:
            self._exact()
        else:
            for i in self.order:
                if self.partner[i] < 0:
                    j = self._find(i)
                    if j >= 0:
                        self.partner[i], self.partner[j] = j, i
            self._improve(deep)
        left = self._repair([i for i in range(self.n) if self.partner[i] < 0])
        groups = [sorted((i, j)) for i, j in enumerate(self.partner) if 0 <= i < j]
        if trio and left:
            joined = self._join_trio(left, groups)
            if joined is not None:
                left.remove(joined)
        ids = self.people
        return Pairing(
            tuple(sorted(tuple(sorted(ids[m].id for m in g)) for g in groups)),
            tuple(sorted(ids[i].id for i in left)),
        )

    def _find(self, i: int) -> int:
        """The best-scoring free allowed partner of ``i`` (-1: none)."""
        org, forbidden, partner = self.org[i], self.forbidden[i], self.partner
        for q in self.prefs[self.prof[i]]:
            stacks = self.by_org[q]
            emptied = False
            for stack in stacks[:_SCAN]:
                while stack and partner[stack[-1]] >= 0:
                    stack.pop()
                if not stack:
                    emptied = True
                    continue
                if org == self.org[stack[-1]]:
                    continue
                for j in reversed(stack[-_SCAN:]):
                    if partner[j] < 0 and j != i and j not in forbidden:
                        return j
            if emptied:
                self.by_org[q] = [stack for stack in stacks if stack]
        for q in self.prefs[self.prof[i]]:  # rare: the best were all met before
            for stack in self.by_org[q]:
                if not stack or self.org[stack[0]] == org:
                    continue
                for j in stack:
                    if partner[j] < 0 and self.ok(i, j):
                        return j
        return -1

    def _repair(self, left: list[int]) -> list[int]:
        """Place left-over people by breaking a pair a-b into u-a and b-v (a few hundred
        pairs tried per person; given up after 20 people in a row could not be placed)."""
        orgs = {self.org[u] for u in left}
        if len(orgs) == 1:  # all of one organisation: a pair with neither of it is needed
            (only,) = orgs
            if all(only in (self.org[i], self.org[j]) for i, j in enumerate(self.partner) if i < j):
                return left
        fails = 0
        for u in list(left):
            if fails > 20 or self.partner[u] >= 0:
                continue
            placed = False
            firsts = [i for i in range(self.n) if i < self.partner[i]]
            self.rng.shuffle(firsts)
            for a0 in firsts[:200]:
                for a in (a0, self.partner[a0]):
                    b = self.partner[a]
                    if not self.ok(u, a):
                        continue
                    free = (v for v in left[:50] if v != u and self.partner[v] < 0)
                    v = next((v for v in free if self.ok(b, v)), -1)
                    if v >= 0:
                        self.partner[u], self.partner[a] = a, u
                        self.partner[b], self.partner[v] = v, b
                        placed = True
                        break
                if placed:
                    break
            fails = 0 if placed else fails + 1
        return [i for i in left if self.partner[i] < 0]

    def _join_trio(self, left: list[int], groups: list[list[int]]) -> int | None:
        """The left-over person who joins the pair that suits them best, as its third."""
        best: tuple[float, int, int] | None = None
        for u in left[:20]:
            for gi, (a, b) in enumerate(groups):
                if self.ok(u, a) and self.ok(u, b):
                    value = self.gain_w(u, a) + self.gain_w(u, b)
                    if best is None or value > best[0] + _EPS:
                        best = (value, u, gi)
        if best is None:
            return None
        _, u, gi = best
        groups[gi] = sorted([*groups[gi], u])
        return u
