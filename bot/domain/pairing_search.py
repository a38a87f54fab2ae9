"""Local search for pairing (``bot.domain.pairing``): the best pairs outright for a handful
of people, and for more, pairs swapping partners two (or three) pairs at a time while that
raises the total score and keeps the rules."""

from __future__ import annotations

import random

#: Up to this many pairs, local improvement tries every two pairs; above, targeted tries.
FULL_IMPROVEMENT_PAIRS = 200
#: Up to this many pairs, every three pairs are tried re-paired too.
THREE_WAY_PAIRS = 40
_TRIES = 4  # targeted improvement: people sampled per better profile
_PASSES = 1  # targeted improvement: passes over the pairs
EPS = 1e-9
_EPS = EPS


def _ways(items: tuple[int, ...]) -> list[tuple[tuple[int, int], ...]]:
    """Every way to pair up ``items`` (15 for six)."""
    if not items:
        return [()]
    first, rest = items[0], items[1:]
    return [
        ((first, other), *way)
        for k, other in enumerate(rest)
        for way in _ways(rest[:k] + rest[k + 1 :])
    ]


_SIX_WAYS = _ways((0, 1, 2, 3, 4, 5))


class Search:
    """What the matcher knows, as the search needs it (set up by ``_Matcher``)."""

    n: int
    partner: list[int]
    prof: list[int]
    w: list[list[float]]
    prefs: list[list[int]]
    pools: list[list[int]]
    rng: random.Random

    def ok(self, i: int, j: int) -> bool:
        raise NotImplementedError

    def gain_w(self, i: int, j: int) -> float:
        return self.w[self.prof[i]][self.prof[j]]

    def _exact(self) -> None:
        """The best pairs outright (most pairs, then the highest score), for a handful of
        people: every way of pairing the lowest-numbered person, remembered by who is left."""
        memo: dict[int, tuple[int, float, tuple[tuple[int, int], ...]]] = {0: (0, 0.0, ())}

        def best(mask: int) -> tuple[int, float, tuple[tuple[int, int], ...]]:
            if mask in memo:
                return memo[mask]
            i = (mask & -mask).bit_length() - 1
            rest = mask & ~(1 << i)
            found = best(rest)  # i without a partner
            for j in range(i + 1, self.n):
                if rest >> j & 1 and self.ok(i, j):
                    count, value, pairs = best(rest & ~(1 << j))
                    option = (count + 1, value + self.gain_w(i, j), ((i, j), *pairs))
                    if (option[0], option[1]) > (found[0], found[1] + _EPS):
                        found = option
            memo[mask] = found
            return found

        for i, j in best((1 << self.n) - 1)[2]:
            self.partner[i], self.partner[j] = j, i

    def _swap_gain(self, a: int, b: int, c: int, d: int) -> float:
        """How much the score rises when pairs a-b, c-d become a-c, b-d (0: not allowed, or
        no better)."""
        gain = self.gain_w(a, c) + self.gain_w(b, d) - self.gain_w(a, b) - self.gain_w(c, d)
        if gain <= _EPS or not (self.ok(a, c) and self.ok(b, d)):
            return 0.0
        return gain

    def _improve(self, deep: bool) -> None:
        pairs = [[i, j] for i, j in enumerate(self.partner) if i < j]
        if len(pairs) <= FULL_IMPROVEMENT_PAIRS:
            self._improve_all(pairs)
            if deep and len(pairs) <= THREE_WAY_PAIRS:
                while self._improve_three(pairs):
                    self._improve_all(pairs)
        else:
            self._improve_targeted(pairs)
        for i, j in pairs:
            self.partner[i], self.partner[j] = j, i

    def _improve_all(self, pairs: list[list[int]]) -> None:
        for _ in range(30):
            changed = False
            for x in range(len(pairs)):
                for y in range(x + 1, len(pairs)):
                    a, b = pairs[x]
                    c, d = pairs[y]
                    if self._swap_gain(a, b, c, d) > 0:
                        pairs[x], pairs[y] = [a, c], [b, d]
                        changed = True
                    elif self._swap_gain(a, b, d, c) > 0:
                        pairs[x], pairs[y] = [a, d], [b, c]
                        changed = True
            if not changed:
                return

    def _improve_three(self, pairs: list[list[int]]) -> bool:
        """One pass over every three pairs, re-paired the best of the 15 ways six people
        pair up, where that raises the score (two-pair swaps alone get stuck when the rules
        allow few partners); True if anything changed."""
        changed = False
        for x in range(len(pairs)):
            for y in range(x + 1, len(pairs)):
                for z in range(y + 1, len(pairs)):
                    six = (*pairs[x], *pairs[y], *pairs[z])
                    now = sum(self.gain_w(six[2 * k], six[2 * k + 1]) for k in range(3))
                    best, chosen = now + _EPS, None
                    for way in _SIX_WAYS:
                        value = 0.0
                        for k, m in way:
                            if not self.ok(six[k], six[m]):
                                break
                            value += self.gain_w(six[k], six[m])
                        else:
                            if value > best:
                                best, chosen = value, way
                    if chosen is not None:
                        (k1, m1), (k2, m2), (k3, m3) = chosen
                        pairs[x], pairs[y] = [six[k1], six[m1]], [six[k2], six[m2]]
                        pairs[z] = [six[k3], six[m3]]
                        changed = True
        return changed

    def _improve_targeted(self, pairs: list[list[int]]) -> None:
        slot = [-1] * self.n
        members: list[list[int]] = [[] for _ in self.pools]
        for t, (i, j) in enumerate(pairs):
            slot[i] = slot[j] = t
            members[self.prof[i]].append(i)
            members[self.prof[j]].append(j)
        for _ in range(_PASSES):
            for t in range(len(pairs)):
                for side in (0, 1):
                    a, b = pairs[t][side], pairs[t][1 - side]
                    current = self.gain_w(a, b)
                    if self._improve_one(a, b, current, pairs, slot, members):
                        break

    def _improve_one(
        self,
        a: int,
        b: int,
        current: float,
        pairs: list[list[int]],
        slot: list[int],
        members: list[list[int]],
    ) -> bool:
        """Try to give ``a`` a better-scoring partner from another pair (a few samples from
        each of the four best profiles for ``a``)."""
        pa = self.prof[a]
        for q in self.prefs[pa][:4]:
            if self.w[pa][q] <= current + _EPS:
                return False
            group = members[q]
            for _ in range(_TRIES if group else 0):
                c = group[self.rng.randrange(len(group))]
                t, u = slot[a], slot[c]
                if t == u:
                    continue
                d = pairs[u][1] if pairs[u][0] == c else pairs[u][0]
                if self._swap_gain(a, b, c, d) > 0:
                    pairs[t], pairs[u] = [a, c], [b, d]
                    slot[b] = slot[d] = u
                    slot[a] = slot[c] = t
                    return True
        return False
