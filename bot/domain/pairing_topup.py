"""Placing people who come after a round is made: late joiners, people back from a pause,
people whose buddy left. The round's groups stay; newcomers pair with each other, and one
left over joins an existing pair as its third."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.domain.pairing import Pairing, pair
from bot.domain.pairing_rules import Candidate, History, Weights, allowed, score

_EPS = 1e-9


def top_up(
    newcomers: Iterable[Candidate],
    open_groups: Sequence[Sequence[Candidate]],
    history: History | None = None,
    weights: Weights | None = None,
    seed: int = 0,
) -> tuple[Pairing, tuple[tuple[int, int], ...]]:
    """Buddies for people who joined (or lost their buddy) after a round was made, without
    breaking its groups: newcomers are paired with each other (a trio when odd); one left
    over joins an existing pair as its third. Returns the newcomers' pairing and the joins
    as (index in ``open_groups``, person id); ``unmatched`` is who could still not be placed.
    """
    history = history or {}
    weights = weights or Weights()
    people = {c.id: c for c in newcomers}
    found = pair(people.values(), history, weights, seed)
    joins: list[tuple[int, int]] = []
    taken: set[int] = set()
    still: list[int] = []
    for person_id in found.unmatched:
        u = people[person_id]
        best: tuple[float, int] | None = None
        for gi, group in enumerate(open_groups):
            if gi in taken or len(group) != 2:
                continue
            if all(allowed(u, m, history) for m in group):
                value = sum(score(u, m, weights) for m in group)
                if best is None or value > best[0] + _EPS:
                    best = (value, gi)
        if best is None:
            still.append(person_id)
        else:
            taken.add(best[1])
            joins.append((best[1], person_id))
    return Pairing(found.groups, tuple(still)), tuple(joins)
