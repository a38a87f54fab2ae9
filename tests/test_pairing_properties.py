"""Properties of the pure pairing over random cohorts: the hard rules always hold, a trio only
when the count is odd, the same seed gives the same pairs, and re-pairing after a leaver keeps
every other pair."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import pair
from bot.domain.pairing_rules import (
    Candidate,
    Weights,
    group_problem,
    hits,
    met_before,
    score,
    statistics,
    violations,
)
from bot.domain.pairing_topup import top_up

LOCALES = ["nb", "nn", "sv", "en"]


@st.composite
def cohorts(draw: st.DrawFn, max_people: int = 60) -> list[Candidate]:
    orgs = draw(st.integers(2, 12))
    groups = draw(st.lists(st.sampled_from(["g1", "g2", "g3"]), min_size=orgs, max_size=orgs))
    sizes = draw(
        st.lists(st.sampled_from([None, "band-0", "band-1"]), min_size=orgs, max_size=orgs)
    )
    people = []
    for person_id in range(1, draw(st.integers(0, max_people)) + 1):
        org = draw(st.integers(0, orgs - 1))
        coordinator = draw(st.booleans())
        people.append(
            Candidate(
                person_id * 3,  # ids with gaps, not positions
                f"org-{org}",
                groups[org],
                draw(st.sampled_from(LOCALES)),
                frozenset({"participant", "coordinator"} if coordinator else {"participant"}),
                sizes[org],
            )
        )
    return people


def _weights() -> st.SearchStrategy[Weights]:
    weight = st.floats(0, 10, allow_nan=False)
    return st.builds(Weights, weight, weight, weight, weight)


def _feasible(people: list[Candidate]) -> bool:
    """Everyone can be placed: no organisation has more than half (a third, for small odd
    counts) of the people, so the pairing must leave nobody out."""
    counts: dict[str, int] = {}
    for c in people:
        counts[c.organisation] = counts.get(c.organisation, 0) + 1
    return len(people) >= 2 and max(counts.values()) * 3 <= len(people)


@settings(max_examples=150, deadline=None)
@given(cohorts(), st.integers(0, 2**32), _weights())
def test_hard_rules_always_hold(people: list[Candidate], seed: int, weights: Weights) -> None:
    by_id = {c.id: c for c in people}
    past: list[tuple[int, ...]] = []
    for round_ in range(3):
        history = met_before(past)
        found = pair(people, history, weights, seed + round_)
        assert violations(found.groups, by_id, history) == []
        placed = [m for g in found.groups for m in g]
        assert sorted(placed + list(found.unmatched)) == sorted(by_id)  # nobody lost or twice
        trios = sum(1 for g in found.groups if len(g) == 3)
        assert trios == len(placed) % 2  # a trio exactly when an odd number is placed
        if round_ == 0 and _feasible(people):
            assert found.unmatched == ()
            assert trios == len(people) % 2
        for person_id in found.unmatched:  # left out only when no allowed partner is free
            alone = by_id[person_id]
            others = [by_id[m] for m in found.unmatched if m != person_id]
            assert all(group_problem([alone, o], history) for o in others)
        past += found.groups


@settings(max_examples=60, deadline=None)
@given(cohorts(), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_pairs(
    people: list[Candidate], seed: int, rnd: object
) -> None:
    shuffled = list(people)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert pair(people, {}, Weights(), seed) == pair(shuffled, {}, Weights(), seed)


@settings(max_examples=100, deadline=None)
@given(cohorts(), st.integers(0, 2**32), st.data())
def test_re_pairing_after_a_leaver_keeps_every_other_pair(
    people: list[Candidate], seed: int, data: st.DataObject
) -> None:
    by_id = {c.id: c for c in people}
    found = pair(people, {}, Weights(), seed)
    if not found.groups:
        return
    left_group = data.draw(st.sampled_from(found.groups))
    leaver = data.draw(st.sampled_from(left_group))
    kept = [g for g in found.groups if g != left_group]
    alone = [m for m in left_group if m != leaver]
    history = met_before(found.groups)
    if len(alone) == 2:  # a trio lost one: the other two stay a pair
        kept.append(tuple(alone))
        alone = []
    newcomers = [by_id[m] for m in alone]
    new, joins = top_up(newcomers, [[by_id[m] for m in g] for g in kept], history, seed=seed)
    after = [list(g) for g in kept]
    for index, person_id in joins:
        after[index].append(person_id)
    after += [list(g) for g in new.groups]
    for group in kept:  # every other pair is still together
        assert any(set(group) <= set(g) for g in after)
    assert violations(new.groups, by_id, history) == []
    for index, person_id in joins:  # a newcomer joins a pair, whom they never met
        assert len(kept[index]) == 2
        assert all(
            group_problem([by_id[person_id], by_id[m]], history) is None for m in kept[index]
        )
    assert all(len(g) <= 3 for g in after)
    assert len({m for g in after for m in g}) == sum(len(g) for g in after)
    placed = {m for g in after for m in g}
    assert leaver not in placed
    assert set(alone) <= placed | set(new.unmatched)
    taken = {index for index, _ in joins}
    for person_id in new.unmatched:  # still alone only when no pair could take them
        for index, group in enumerate(kept):
            if len(group) == 2 and index not in taken:
                assert any(group_problem([by_id[person_id], by_id[m]], history) for m in group)


def test_an_only_one_never_sits_alone_and_an_odd_cohort_gets_one_trio() -> None:
    people = [Candidate(i, f"o{i % 3}") for i in range(1, 8)]
    found = pair(people)
    assert sorted(len(g) for g in found.groups) == [2, 2, 3]
    assert pair([Candidate(1, "a")]).groups == ()
    assert pair([Candidate(1, "a")]).unmatched == (1,)
    assert pair([Candidate(1, "a"), Candidate(2, "a")]).unmatched == (1, 2)


def test_nobody_meets_again_until_no_new_partner_is_left() -> None:
    people = [Candidate(i, f"o{i}") for i in range(1, 7)]  # 6 people: 5 rounds of new pairs
    past: list[tuple[int, ...]] = []
    for _ in range(5):
        found = pair(people, met_before(past), seed=len(past))
        assert found.unmatched == ()
        past += found.groups
    every_pair = {frozenset(p) for g in past for p in combinations(g, 2)}
    assert len(every_pair) == 15  # all 15 possible pairs, each exactly once
    assert pair(people, met_before(past)).groups == ()


def test_preferences_are_followed_when_they_can_be() -> None:
    # two gathering groups, one English-only person in each: they go with the English one
    people = [
        Candidate(1, "a", "g1", "nb"),
        Candidate(2, "b", "g1", "sv"),
        Candidate(3, "c", "g2", "en"),
        Candidate(4, "d", "g2", "en"),
    ]
    found = pair(people)
    assert found.groups == ((1, 2), (3, 4))
    stats = statistics(found.groups, {c.id: c for c in people}, {}, Weights())
    assert stats.hit_rates["same_group"] == 1.0 and stats.hit_rates["language"] == 1.0
    assert stats.cross_organisation == 1.0 and stats.repeats == 0


def test_a_region_is_a_different_size_from_any_municipality() -> None:
    region = Candidate(1, "r", size="region")
    small, unknown = Candidate(2, "a", size="band-0"), Candidate(3, "b", size=None)
    assert hits(region, small)["size_mix"] and hits(region, unknown)["size_mix"]
    assert not hits(small, unknown)["size_mix"]  # unknown: no preference either way
    assert not hits(small, Candidate(4, "c", size="band-0"))["size_mix"]
    assert hits(small, Candidate(5, "d", size="band-2"))["size_mix"]


def test_an_organisation_with_most_of_the_cohort_leaves_only_the_surplus_out() -> None:
    big = [Candidate(i, "big") for i in range(1, 61)]
    others = [Candidate(100 + i, f"o{i % 7}") for i in range(40)]
    found = pair(big + others)
    assert len(found.unmatched) == 20  # 60 of one organisation, 40 others: 20 cannot pair
    assert {m for m in found.unmatched} <= {c.id for c in big}
    assert violations(found.groups, {c.id: c for c in big + others}, {}) == []


def _best_by_hand(people: list[Candidate], weights: Weights) -> tuple[int, float]:
    """Every way to pair people up (some may stay out): the most pairs, then the highest
    score. Exponential; for a handful of people only."""
    if len(people) < 2:
        return 0, 0.0
    first, rest = people[0], people[1:]
    best = _best_by_hand(rest, weights)  # the first stays out
    for k, other in enumerate(rest):
        if group_problem([first, other], {}) is None:
            count, value = _best_by_hand(rest[:k] + rest[k + 1 :], weights)
            option = (count + 1, value + score(first, other, weights))
            if option[0] > best[0] or (option[0] == best[0] and option[1] > best[1] + 1e-9):
                best = option
    return best


@settings(max_examples=150, deadline=None)
@given(cohorts(max_people=10), st.integers(0, 2**32), _weights())
def test_a_small_cohort_gets_the_best_pairs_there_are(
    people: list[Candidate], seed: int, weights: Weights
) -> None:
    if len(people) % 2:
        people = people[:-1]  # a trio's score is not a matching's
    found = pair(people, {}, weights, seed)
    count, best = _best_by_hand(people, weights)
    by_id = {c.id: c for c in people}
    assert len(found.groups) == count
    assert statistics(found.groups, by_id, {}, weights).score >= best - 1e-6
