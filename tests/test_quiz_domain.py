"""The pure quiz rules: typed option numbers, right only when exactly the right options are
chosen, the stored form of a choice, per-question figures and the anonymous league."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.quiz import Scores, decode, encode, is_right, league, parse_options
from tests.quiz_support import QUESTIONS

options = st.frozensets(st.integers(min_value=0, max_value=9), max_size=10)


@given(options, st.sampled_from([", ", " ", " og ", " och ", ",", " and "]))
def test_typed_numbers_read_back_as_the_options(chosen: frozenset[int], joiner: str) -> None:
    text = joiner.join(str(n + 1) for n in sorted(chosen))
    found = parse_options(text, 10)
    assert found == (chosen if chosen else None)


@given(st.integers(min_value=-5, max_value=30), st.integers(min_value=2, max_value=10))
def test_a_number_outside_the_options_is_no_answer(number: int, count: int) -> None:
    found = parse_options(str(number), count)
    assert found == (frozenset({number - 1}) if 1 <= number <= count else None)


def test_words_alone_are_no_answer() -> None:
    assert parse_options("jeg vet ikke", 3) is None
    assert parse_options("2.", 3) == frozenset({1})


@given(options)
def test_a_choice_is_stored_and_read_back(chosen: frozenset[int]) -> None:
    assert decode(encode(chosen)) == chosen


@given(st.frozensets(st.integers(min_value=0, max_value=2)))
def test_multiple_choice_is_right_only_with_exactly_the_right_options(
    chosen: frozenset[int],
) -> None:
    question = QUESTIONS[1]  # correct: [0, 2]
    assert is_right(question, chosen) == (chosen == {0, 2})
    assert is_right(QUESTIONS[0], chosen) == (chosen == {1})


@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=40),
        st.tuples(st.integers(0, 7), st.integers(1, 3), st.sampled_from(["a", "b", "c", None])),
        max_size=30,
    )
)
def test_the_league_is_at_most_three_organisations_best_first(
    people: dict[int, tuple[int, int, str | None]],
) -> None:
    best = {p: Scores(score, score, 7, takes) for p, (score, takes, _) in people.items()}
    organisation_of = {p: org for p, (_, _, org) in people.items()}
    top = league(best, organisation_of)
    ranked = [p for p in best if organisation_of[p]]
    assert len(top) == min(3, len(ranked))
    if ranked:
        highest = max(best[p].best for p in ranked)
        fewest = min(best[p].takes for p in ranked if best[p].best == highest)
        leaders = {
            organisation_of[p]
            for p in ranked
            if best[p].best == highest and best[p].takes == fewest
        }
        assert top[0] in leaders
